import { Badge, Button, Code, Group, SegmentedControl, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ApiKeyForm } from "./ApiKeyForm";
import { SecretDialog } from "./SecretDialog";
import { keyStatus, useApiKeyList, useRevokeApiKey, type ApiKey, type CreatedApiKey, type KeyStatus } from "./queries";

const FILTERS = ["show"] as const;
const SHOW = ["active", "revoked", "all"] as const;
const STATUS_COLORS: Record<KeyStatus, string> = { active: "green", revoked: "red", expired: "gray" };

export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const message = useErrorMessage();
  const list = useListParams(FILTERS, { sort: "-created_at" });
  const rows = useApiKeyList(list);
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const show = (SHOW as readonly string[]).includes(list.filters.show ?? "") ? list.filters.show! : "active";

  const columns: Column<ApiKey>[] = [
    { key: "name", header: t("apiKeys.name"), sortKey: "name", render: (key) => <strong>{key.name}</strong> },
    { key: "prefix", header: t("apiKeys.prefix"), render: (key) => <Code>{key.prefix}…</Code> },
    { key: "role", header: t("apiKeys.role"), render: (key) => t(`roles.${key.role}`) },
    {
      key: "status",
      header: t("common.status"),
      render: (key) => {
        const status = keyStatus(key);
        return (
          <Badge color={STATUS_COLORS[status]} variant="light" size="sm">
            {t(`apiKeys.statuses.${status}`)}
          </Badge>
        );
      },
    },
    { key: "created", header: t("common.createdAt"), sortKey: "created_at", render: (key) => formatDateTime(key.created_at, lang) },
    {
      key: "expires",
      header: t("apiKeys.expiresAt"),
      render: (key) => (key.expires_at ? formatDateTime(key.expires_at, lang) : t("common.never")),
    },
    {
      key: "actions",
      header: <VisuallyHidden>{t("common.actions")}</VisuallyHidden>,
      align: "right",
      render: (key) =>
        key.revoked_at ? null : (
          <Button
            size="compact-sm"
            variant="subtle"
            color="red"
            onClick={() => setRevoking(key)}
            aria-label={t("apiKeys.revokeNamed", { name: key.name })}
          >
            {t("apiKeys.revoke")}
          </Button>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("apiKeys.title")}
        description={t("apiKeys.description")}
        actions={
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            {t("apiKeys.new")}
          </Button>
        }
      />
      <Group mb="sm">
        <SegmentedControl
          aria-label={t("apiKeys.show")}
          value={show}
          onChange={(value) => list.update({ show: value === "active" ? null : value })}
          data={SHOW.map((value) => ({
            value,
            label: value === "all" ? t("common.all") : t(`apiKeys.statuses.${value}`),
          }))}
        />
      </Group>
      <DataTable caption={t("apiKeys.title")} columns={columns} {...serverTableProps(list, rows)} rowKey={(key) => key.id} />
      {creating ? (
        <ApiKeyForm
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      ) : null}
      {created ? <SecretDialog apiKey={created} onClose={() => setCreated(null)} /> : null}
      <ConfirmDialog
        opened={revoking !== null}
        title={revoking ? t("apiKeys.revokeTitle", { name: revoking.name }) : ""}
        message={t("apiKeys.revokeMessage")}
        confirmLabel={t("apiKeys.revoke")}
        color="red"
        loading={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          const key = revoking!;
          try {
            await revoke.mutateAsync(key);
            notifications.show({ color: "green", message: t("apiKeys.revoked", { name: key.name }) });
          } catch (caught) {
            notifications.show({ color: "red", message: message(caught) });
          } finally {
            setRevoking(null);
          }
        }}
      />
    </>
  );
}
