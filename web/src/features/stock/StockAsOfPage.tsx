import { Group, Select } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { PageHeader } from "../../components/PageHeader";
import { formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ItemLink } from "../items/ItemLink";
import { useWarehouses } from "../warehouses/queries";
import { useStockAsOf, type AsOfRow } from "./queries";

const FILTERS = ["at", "warehouse_id"] as const;

export function StockAsOfPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const list = useListParams(FILTERS);
  const rows = useStockAsOf(list);
  const warehouses = useWarehouses();
  const at = list.filters.at;

  const columns: Column<AsOfRow>[] = [
    {
      key: "sku",
      header: t("items.sku"),
      render: (row) => <ItemLink id={row.item_id} sku={row.sku} fw={600} />,
    },
    { key: "name", header: t("items.name"), render: (row) => row.item_name },
    { key: "warehouse", header: t("stock.warehouse"), render: (row) => row.warehouse_code },
    { key: "on_hand", header: t("stock.onHand"), align: "right", render: (row) => formatQuantity(row.on_hand, lang) },
  ];

  return (
    <>
      <PageHeader title={t("stock.asOfTitle")} description={t("stock.asOfDescription")} />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <DateTimePicker
          label={t("stock.asOfAt")}
          value={at ? dayjs(at).format("YYYY-MM-DD HH:mm:ss") : null}
          onChange={(value) => list.update({ at: value ? dayjs(value).toISOString() : null })}
          maxDate={dayjs().format("YYYY-MM-DD HH:mm:ss")}
          valueFormat="YYYY-MM-DD HH:mm"
          clearable
          w={{ base: "100%", sm: 240 }}
        />
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
      {at ? (
        <DataTable
          caption={t("stock.asOfTitle")}
          columns={columns}
          {...serverTableProps(list, rows)}
          rowKey={(row) => `${row.item_id}:${row.warehouse_id}`}
        />
      ) : (
        <EmptyState message={t("stock.pickTimeHint")} />
      )}
    </>
  );
}
