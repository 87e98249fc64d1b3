import { Anchor, Autocomplete, Badge, Button, Code, Group, Modal, Pill, Select, SimpleGrid, Stack, Text } from "@mantine/core";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { PeriodFilter } from "../../components/PeriodFilter";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useUserName } from "../users/queries";
import { AuditChanges, changeRows } from "./AuditChanges";
import { AUDIT_ENTITY_TYPES, KNOWN_ACTIONS, useAuditLog, type AuditEntry } from "./queries";

const FILTERS = ["actor_id", "entity_type", "entity_id", "action", "from", "to"] as const;
const VERBS = ["created", "updated", "deleted", "login", "login_failed", "refresh", "logout", "forbidden", "imported"] as const;
const ACTOR_TYPES = ["user", "api_key", "system", "anonymous"] as const;
const SUMMARY_FIELDS = 3;

const shortId = (id: string) => id.slice(0, 8);

function actionLabel(action: string, t: TFunction): string {
  const verb = action.split(".").at(-1) ?? "";
  return (VERBS as readonly string[]).includes(verb) ? t(`audit.actions.${verb as (typeof VERBS)[number]}`) : action;
}

function entityLabel(type: string | null, t: TFunction): string {
  if (!type) return "—";
  return (AUDIT_ENTITY_TYPES as readonly string[]).includes(type) ? t(`entities.${type as (typeof AUDIT_ENTITY_TYPES)[number]}`) : type;
}

/** Who acted: the user's name as the server gives it, an API key by its name, else the kind of actor. */
function useActorLabel() {
  const { t } = useTranslation();
  return (entry: Pick<AuditEntry, "actor_id" | "actor_type" | "actor_name">): string => {
    if (entry.actor_type === "user" && entry.actor_id) return entry.actor_name ?? shortId(entry.actor_id);
    const type = (ACTOR_TYPES as readonly string[]).includes(entry.actor_type)
      ? t(`audit.actorTypes.${entry.actor_type as (typeof ACTOR_TYPES)[number]}`)
      : entry.actor_type;
    if (entry.actor_type !== "api_key" || !entry.actor_id) return type;
    return `${type} ${entry.actor_name ?? shortId(entry.actor_id)}`;
  };
}

/** The action filter: free text with the known actions offered; reaches the URL once chosen. */
function ActionFilter({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <Autocomplete
      label={t("audit.action")}
      placeholder={t("audit.actionHint")}
      data={KNOWN_ACTIONS}
      value={text}
      onChange={setText}
      onOptionSubmit={onChange}
      onBlur={() => onChange(text.trim())}
      onKeyDown={(event) => {
        if (event.key === "Enter") onChange(text.trim());
      }}
      onClear={() => onChange("")}
      clearable
      limit={20}
      w={{ base: "100%", sm: 220 }}
    />
  );
}

function Details({ entry, onClose }: { entry: AuditEntry; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const actor = useActorLabel();
  const fields: Array<[string, string]> = [
    [t("common.time"), formatDateTime(entry.created_at, i18n.language)],
    [t("audit.actor"), actor(entry)],
    [t("audit.action"), `${actionLabel(entry.action, t)} (${entry.action})`],
    [t("audit.entity"), entityLabel(entry.entity_type, t)],
    [t("audit.entityId"), entry.entity_id ?? "—"],
    [t("audit.ip"), entry.ip ?? "—"],
    [t("audit.requestId"), entry.request_id ?? "—"],
    [t("audit.userAgent"), entry.user_agent ?? "—"],
  ];
  return (
    <Modal opened onClose={onClose} title={t("audit.detailsTitle")} size="xl" centered>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          {fields.map(([label, value]) => (
            <Field key={label} label={label}>
              {value}
            </Field>
          ))}
        </SimpleGrid>
        <Text fw={600} size="sm">
          {t("audit.changes")}
        </Text>
        <AuditChanges changes={entry.changes} />
      </Stack>
    </Modal>
  );
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const list = useListParams(FILTERS, { sort: "-created_at", limit: 50 });
  const rows = useAuditLog(list);
  const actor = useActorLabel();
  const userName = useUserName();
  const [open, setOpen] = useState<AuditEntry | null>(null);

  // The actor filter offers the users the reader may list, plus whoever acted on this page.
  const actors = new Map<string, string>();
  for (const entry of rows.data?.data ?? []) if (entry.actor_id) actors.set(entry.actor_id, actor(entry));
  const chosen = list.filters.actor_id;
  if (chosen && !actors.has(chosen)) actors.set(chosen, userName(chosen) ?? shortId(chosen));

  const columns: Column<AuditEntry>[] = [
    { key: "time", header: t("common.time"), sortKey: "created_at", render: (e) => formatDateTime(e.created_at, lang) },
    { key: "actor", header: t("audit.actor"), render: (e) => actor(e) },
    {
      key: "action",
      header: t("audit.action"),
      render: (e) => (
        <Stack gap={0}>
          <Text size="sm">{actionLabel(e.action, t)}</Text>
          <Text size="xs" c="dimmed" ff="monospace">
            {e.action}
          </Text>
        </Stack>
      ),
    },
    {
      key: "entity",
      header: t("audit.entity"),
      render: (e) => (
        <Group gap={6} wrap="nowrap">
          <Badge variant="light" color="gray" size="sm">
            {entityLabel(e.entity_type, t)}
          </Badge>
          {e.entity_id ? (
            <Anchor
              component="button"
              type="button"
              size="xs"
              ff="monospace"
              onClick={() => list.update({ entity_id: e.entity_id })}
              aria-label={t("audit.onlyEntity", { id: shortId(e.entity_id) })}
            >
              {shortId(e.entity_id)}
            </Anchor>
          ) : null}
        </Group>
      ),
    },
    {
      key: "changes",
      header: t("audit.changes"),
      render: (e) => {
        const fields = changeRows(e.changes).map((row) => row.field);
        if (fields.length === 0) return <Text size="sm" c="dimmed">—</Text>;
        const more = fields.length - SUMMARY_FIELDS;
        return (
          <Text size="sm">
            <Code>{fields.slice(0, SUMMARY_FIELDS).join(", ")}</Code>
            {more > 0 ? ` ${t("audit.moreFields", { n: more })}` : null}
          </Text>
        );
      },
    },
    { key: "ip", header: t("audit.ip"), render: (e) => e.ip ?? "—" },
    {
      key: "details",
      header: t("common.details"),
      align: "right",
      render: (e) => (
        <Button
          size="compact-sm"
          variant="subtle"
          onClick={() => setOpen(e)}
          aria-label={t("audit.detailsOf", { action: e.action, time: formatDateTime(e.created_at, lang) })}
        >
          {t("common.details")}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader title={t("audit.title")} description={t("audit.description")} />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <Select
          label={t("audit.actor")}
          placeholder={t("common.all")}
          clearable
          searchable
          data={[...actors].map(([value, label]) => ({ value, label }))}
          value={chosen ?? null}
          onChange={(actor_id) => list.update({ actor_id })}
          w={{ base: "100%", sm: 200 }}
        />
        <Select
          label={t("audit.entity")}
          placeholder={t("common.all")}
          clearable
          data={AUDIT_ENTITY_TYPES.map((type) => ({ value: type, label: t(`entities.${type}`) }))}
          value={list.filters.entity_type ?? null}
          onChange={(entity_type) => list.update({ entity_type })}
          w={{ base: "100%", sm: 180 }}
        />
        <ActionFilter value={list.filters.action ?? ""} onChange={(action) => list.update({ action })} />
        <PeriodFilter list={list} label={t("audit.period")} />
        {list.filters.entity_id ? (
          <Pill
            withRemoveButton
            onRemove={() => list.update({ entity_id: null })}
            removeButtonProps={{ "aria-label": t("common.clear") }}
            mb={6}
          >
            {t("audit.entityFilter", { id: shortId(list.filters.entity_id) })}
          </Pill>
        ) : null}
      </Group>
      <DataTable caption={t("audit.title")} columns={columns} {...serverTableProps(list, rows)} rowKey={(e) => e.id} />
      {open ? <Details entry={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
