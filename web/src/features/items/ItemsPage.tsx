import { Badge, Button, Checkbox, Group, Select } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { ExportMenu } from "../../components/ExportMenu";
import { PageHeader } from "../../components/PageHeader";
import { SearchInput } from "../../components/SearchInput";
import { formatMoney, formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useAllEngines } from "../engines/queries";
import { ItemForm } from "./ItemForm";
import { ItemLink } from "./ItemLink";
import { itemFilters, useItemList, type Item } from "./queries";

const FILTERS = ["engine_id", "active", "low_stock"] as const;

export function ItemsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const list = useListParams(FILTERS, { sort: "sku" });
  const rows = useItemList(list);
  const engines = useAllEngines();
  const [creating, setCreating] = useState(false);
  const lang = i18n.language;
  const engineName = (id: string | null) => engines.data?.find((e) => e.id === id)?.name ?? "—";

  const columns: Column<Item>[] = [
    {
      key: "sku",
      header: t("items.sku"),
      sortKey: "sku",
      render: (item) => <ItemLink id={item.id} sku={item.sku} fw={600} />,
    },
    { key: "name", header: t("items.name"), sortKey: "name", render: (item) => item.name },
    { key: "engine", header: t("items.engine"), render: (item) => engineName(item.engine_id) },
    { key: "barcode", header: t("items.barcode"), render: (item) => item.barcode ?? "—" },
    { key: "on_hand", header: t("stock.onHand"), sortKey: "on_hand", align: "right", render: (item) => formatQuantity(item.on_hand, lang) },
    { key: "available", header: t("stock.available"), sortKey: "available", align: "right", render: (item) => formatQuantity(item.available, lang) },
    { key: "reorder", header: t("items.reorderPoint"), sortKey: "reorder_point", align: "right", render: (item) => formatQuantity(item.reorder_point, lang) },
    { key: "cost", header: t("items.unitCost"), sortKey: "unit_cost", align: "right", render: (item) => formatMoney(item.unit_cost, lang) },
    {
      key: "flags",
      header: t("common.status"),
      render: (item) => (
        <Group gap={4} wrap="nowrap">
          {item.low_stock ? (
            <Badge color="orange" variant="light" size="sm">
              {t("stock.lowStock")}
            </Badge>
          ) : null}
          {!item.active ? (
            <Badge color="gray" variant="light" size="sm">
              {t("status.inactive")}
            </Badge>
          ) : null}
        </Group>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("items.title")}
        description={t("items.description")}
        actions={
          <>
            <ExportMenu path="/api/v1/items/export" query={itemFilters(list)} />
            {hasRole(user, "manager") ? (
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
                {t("items.new")}
              </Button>
            ) : null}
          </>
        }
      />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SearchInput label={t("common.search")} placeholder={t("items.searchHint")} value={list.q} onChange={(q) => list.update({ q })} />
        <Select
          label={t("items.engine")}
          placeholder={t("common.all")}
          clearable
          data={(engines.data ?? []).map((e) => ({ value: e.id, label: `${e.code} — ${e.name}` }))}
          value={list.filters.engine_id ?? null}
          onChange={(engine_id) => list.update({ engine_id })}
          w={{ base: "100%", sm: 220 }}
        />
        <Select
          label={t("items.active")}
          placeholder={t("common.all")}
          clearable
          data={[
            { value: "true", label: t("status.active") },
            { value: "false", label: t("status.inactive") },
          ]}
          value={list.filters.active ?? null}
          onChange={(active) => list.update({ active })}
          w={140}
        />
        <Checkbox
          label={t("stock.lowStockOnly")}
          checked={list.filters.low_stock === "true"}
          onChange={(event) => list.update({ low_stock: event.currentTarget.checked ? "true" : null })}
          mb={8}
        />
      </Group>
      <DataTable
        caption={t("items.title")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(item) => item.id}
      />
      {creating ? (
        <ItemForm opened onClose={() => setCreating(false)} onSaved={(item) => navigate(`/items/${item.id}`)} />
      ) : null}
    </>
  );
}
