import { Anchor, Group, Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { ExportMenu } from "../../components/ExportMenu";
import { PageHeader } from "../../components/PageHeader";
import { PeriodFilter } from "../../components/PeriodFilter";
import { formatDateTime, formatQuantity, formatSignedQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ItemPicker } from "../items/ItemPicker";
import { useItem } from "../items/queries";
import { useWarehouseLookup, useWarehouses } from "../warehouses/queries";
import { DocumentLink } from "./documentLink";
import { MOVE_REASONS, moveFilters, useItemsById, useMoves, type StockMove } from "./queries";

const FILTERS = ["item_id", "warehouse_id", "reason", "from", "to"] as const;

export function LedgerPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const list = useListParams(FILTERS, { sort: "-created_at", limit: 50 });
  const rows = useMoves(list);
  const warehouses = useWarehouses();
  const warehouse = useWarehouseLookup();
  const items = useItemsById((rows.data?.data ?? []).map((move) => move.item_id));
  const selected = useItem(list.filters.item_id);

  const columns: Column<StockMove>[] = [
    { key: "time", header: t("common.time"), sortKey: "created_at", render: (m) => formatDateTime(m.created_at, lang) },
    {
      key: "item",
      header: t("items.sku"),
      render: (m) => (
        <Anchor component={Link} to={`/items/${m.item_id}`}>
          {items.get(m.item_id)?.sku ?? "…"}
        </Anchor>
      ),
    },
    { key: "warehouse", header: t("stock.warehouse"), render: (m) => warehouse(m.warehouse_id)?.code ?? "—" },
    { key: "reason", header: t("stock.reason"), render: (m) => t(`reasons.${m.reason}`) },
    { key: "document", header: t("stock.document"), render: (m) => <DocumentLink type={m.document_type} id={m.document_id} number={m.document_number} /> },
    { key: "quantity", header: t("stock.quantity"), sortKey: "quantity", align: "right", render: (m) => formatSignedQuantity(m.quantity, lang) },
    { key: "balance", header: t("stock.balanceAfter"), align: "right", render: (m) => formatQuantity(m.balance_after, lang) },
  ];

  return (
    <>
      <PageHeader
        title={t("stock.ledgerTitle")}
        description={t("stock.ledgerDescription")}
        actions={<ExportMenu path="/api/v1/stock-moves/export" query={moveFilters(list)} />}
      />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <ItemPicker
          label={t("lines.item")}
          value={selected.data ? { id: selected.data.id, sku: selected.data.sku, name: selected.data.name } : null}
          onChange={(item) => list.update({ item_id: item?.id ?? null })}
          w={{ base: "100%", sm: 260 }}
          key={selected.data?.id ?? "none"}
        />
        <Select
          label={t("stock.warehouse")}
          placeholder={t("common.all")}
          clearable
          data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} — ${w.name}` }))}
          value={list.filters.warehouse_id ?? null}
          onChange={(warehouse_id) => list.update({ warehouse_id })}
          w={{ base: "100%", sm: 200 }}
        />
        <Select
          label={t("stock.reason")}
          placeholder={t("common.all")}
          clearable
          data={MOVE_REASONS.map((reason) => ({ value: reason, label: t(`reasons.${reason}`) }))}
          value={list.filters.reason ?? null}
          onChange={(reason) => list.update({ reason })}
          w={160}
        />
        <PeriodFilter list={list} label={t("stock.period")} />
      </Group>
      <DataTable
        caption={t("stock.ledgerTitle")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(m) => m.id}
      />
    </>
  );
}
