import { Anchor, Button, Group, Select, VisuallyHidden } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { SearchInput } from "../../components/SearchInput";
import { StatusBadge } from "../../components/StatusBadge";
import { formatCount, formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { EngineForm } from "./EngineForm";
import { useEngineList, type Engine } from "./queries";

const FILTERS = ["status"] as const;

export function EnginesPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const list = useListParams(FILTERS, { sort: "code" });
  const rows = useEngineList(list);
  const [editing, setEditing] = useState<Engine | "new" | null>(null);
  const canEdit = hasRole(user, "manager");
  const lang = i18n.language;

  const columns: Column<Engine>[] = [
    { key: "code", header: t("engines.code"), sortKey: "code", render: (e) => <strong>{e.code}</strong> },
    { key: "name", header: t("engines.name"), sortKey: "name", render: (e) => e.name },
    { key: "status", header: t("engines.status"), sortKey: "status", render: (e) => <StatusBadge status={e.status} size="sm" /> },
    {
      key: "items",
      header: t("engines.itemCount"),
      align: "right",
      render: (e) => (
        <Anchor component={Link} to={`/items?engine_id=${e.id}`}>
          {formatCount(e.item_count, lang)}
          <VisuallyHidden> {t("engines.itemsOf", { name: e.name })}</VisuallyHidden>
        </Anchor>
      ),
    },
    { key: "updated", header: t("common.updatedAt"), sortKey: "updated_at", render: (e) => formatDateTime(e.updated_at, lang) },
  ];
  if (canEdit) {
    columns.push({
      key: "actions",
      header: <VisuallyHidden>{t("common.actions")}</VisuallyHidden>,
      align: "right",
      render: (e) => (
        <Button size="compact-sm" variant="subtle" onClick={() => setEditing(e)} aria-label={t("engines.editNamed", { name: e.name })}>
          {t("common.edit")}
        </Button>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("engines.title")}
        description={t("engines.description_page")}
        actions={
          canEdit ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing("new")}>
              {t("engines.new")}
            </Button>
          ) : null
        }
      />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SearchInput label={t("common.search")} placeholder={t("engines.searchHint")} value={list.q} onChange={(q) => list.update({ q })} />
        <Select
          label={t("engines.status")}
          placeholder={t("common.all")}
          clearable
          data={[
            { value: "active", label: t("status.active") },
            { value: "inactive", label: t("status.inactive") },
          ]}
          value={list.filters.status ?? null}
          onChange={(status) => list.update({ status })}
          w={160}
        />
      </Group>
      <DataTable
        caption={t("engines.title")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(e) => e.id}
      />
      {editing ? (
        <EngineForm engine={editing === "new" ? undefined : editing} opened onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
