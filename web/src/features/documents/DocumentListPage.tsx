import { Anchor, Button, Group, Select, Tabs } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { ExportMenu } from "../../components/ExportMenu";
import { PageHeader } from "../../components/PageHeader";
import { SearchInput } from "../../components/SearchInput";
import { StatusBadge } from "../../components/StatusBadge";
import { formatCount, formatDateTime, formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useWarehouseLookup, useWarehouses } from "../warehouses/queries";
import {
  STATUSES,
  documentFilters,
  exportPathOf,
  pathOf,
  useDocumentList,
  type DocumentKind,
  type DocumentSummary,
} from "./queries";

const FILTERS = ["status", "warehouse_id"] as const;

export function DocumentListPage({ kind }: { kind: DocumentKind }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const user = useUser();
  const list = useListParams(FILTERS, { sort: "-number" });
  const rows = useDocumentList(kind, list);
  const warehouses = useWarehouses();
  const warehouse = useWarehouseLookup();
  const base = pathOf(kind);
  const active = list.filters.status ?? "all";

  const columns: Column<DocumentSummary>[] = [
    {
      key: "number",
      header: t("documents.number"),
      sortKey: "number",
      render: (doc) => (
        <Anchor component={Link} to={`${base}/${doc.id}`} fw={600}>
          {doc.number}
        </Anchor>
      ),
    },
    { key: "status", header: t("common.status"), sortKey: "status", render: (doc) => <StatusBadge status={doc.status} size="sm" /> },
    { key: "partner", header: t(`documents.${kind}.partner`), sortKey: "partner", render: (doc) => doc.partner ?? "—" },
    { key: "reference", header: t("documents.reference"), render: (doc) => doc.reference ?? "—" },
    { key: "warehouse", header: t("stock.warehouse"), render: (doc) => warehouse(doc.warehouse_id)?.code ?? "—" },
    { key: "lines", header: t("documents.lineCount"), align: "right", render: (doc) => formatCount(doc.line_count, lang) },
    { key: "total", header: t("documents.totalQuantity"), align: "right", render: (doc) => formatQuantity(doc.total_quantity, lang) },
    { key: "created", header: t("common.createdAt"), sortKey: "created_at", render: (doc) => formatDateTime(doc.created_at, lang) },
  ];

  return (
    <>
      <PageHeader
        title={t(`documents.${kind}.title`)}
        description={t(`documents.${kind}.description`)}
        actions={
          <>
            <ExportMenu path={exportPathOf(kind)} query={documentFilters(list)} />
            {hasRole(user, "staff") ? (
              <Button component={Link} to={`${base}/new`} leftSection={<IconPlus size={16} aria-hidden />}>
                {t(`documents.${kind}.new`)}
              </Button>
            ) : null}
          </>
        }
      />
      <Tabs
        value={active}
        onChange={(value) => list.update({ status: value === "all" ? null : value })}
        keepMounted
      >
        <Tabs.List>
          <Tabs.Tab value="all">{t("common.all")}</Tabs.Tab>
          {STATUSES.map((status) => (
            <Tabs.Tab key={status} value={status}>
              {t(`status.${status}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {["all", ...STATUSES].map((value) => (
          <Tabs.Panel key={value} value={value} pt="sm">
            {value === active ? (
              <>
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SearchInput label={t("common.search")} placeholder={t("documents.searchHint")} value={list.q} onChange={(q) => list.update({ q })} />
        <Select
          label={t("stock.warehouse")}
          placeholder={t("common.all")}
          clearable
          data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} — ${w.name}` }))}
          value={list.filters.warehouse_id ?? null}
          onChange={(warehouse_id) => list.update({ warehouse_id })}
          w={{ base: "100%", sm: 220 }}
        />
      </Group>
      <DataTable
        caption={t(`documents.${kind}.title`)}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(doc) => doc.id}
      />
              </>
            ) : null}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
