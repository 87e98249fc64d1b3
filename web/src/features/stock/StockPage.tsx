import { Badge, Checkbox, Group, Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { ExportMenu } from "../../components/ExportMenu";
import { PageHeader } from "../../components/PageHeader";
import { SearchInput } from "../../components/SearchInput";
import { formatDateTime, formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ItemLink } from "../items/ItemLink";
import { useWarehouses } from "../warehouses/queries";
import { stockFilters, useStockList, type StockRow } from "./queries";

const FILTERS = ["warehouse_id", "low_stock"] as const;

export function StockPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const list = useListParams(FILTERS);
  const rows = useStockList(list);
  const warehouses = useWarehouses();

  const columns: Column<StockRow>[] = [
    {
      key: "sku",
      header: t("items.sku"),
      sortKey: "sku",
      render: (row) => <ItemLink id={row.item_id} sku={row.sku} fw={600} />,
    },
    { key: "name", header: t("items.name"), sortKey: "item_name", render: (row) => row.item_name },
    { key: "warehouse", header: t("stock.warehouse"), sortKey: "warehouse_code", render: (row) => row.warehouse_code },
    { key: "on_hand", header: t("stock.onHand"), sortKey: "on_hand", align: "right", render: (row) => formatQuantity(row.on_hand, lang) },
    { key: "reserved", header: t("stock.reserved"), sortKey: "reserved", align: "right", render: (row) => formatQuantity(row.reserved, lang) },
    { key: "available", header: t("stock.available"), sortKey: "available", align: "right", render: (row) => formatQuantity(row.available, lang) },
    { key: "reorder", header: t("items.reorderPoint"), align: "right", render: (row) => formatQuantity(row.reorder_point, lang) },
    {
      key: "low",
      header: t("common.status"),
      render: (row) =>
        row.low_stock ? (
          <Badge color="orange" variant="light" size="sm">
            {t("stock.lowStock")}
          </Badge>
        ) : null,
    },
    { key: "updated", header: t("common.updatedAt"), sortKey: "updated_at", render: (row) => formatDateTime(row.updated_at, lang) },
  ];

  return (
    <>
      <PageHeader
        title={t("stock.title")}
        description={t("stock.description")}
        actions={<ExportMenu path="/api/v1/stocks/export" query={stockFilters(list)} />}
      />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SearchInput label={t("common.search")} placeholder={t("items.searchHint")} value={list.q} onChange={(q) => list.update({ q })} />
        <Select
          label={t("stock.warehouse")}
          placeholder={t("common.all")}
          clearable
          data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} — ${w.name}` }))}
          value={list.filters.warehouse_id ?? null}
          onChange={(warehouse_id) => list.update({ warehouse_id })}
          w={{ base: "100%", sm: 220 }}
        />
        <Checkbox
          label={t("stock.lowStockOnly")}
          checked={list.filters.low_stock === "true"}
          onChange={(event) => list.update({ low_stock: event.currentTarget.checked ? "true" : null })}
          mb={8}
        />
      </Group>
      <DataTable
        caption={t("stock.title")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(row) => `${row.item_id}:${row.warehouse_id}`}
      />
    </>
  );
}
