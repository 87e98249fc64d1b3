import { Button, List } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime, formatQuantity, formatSignedQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useWarehouseLookup } from "../warehouses/queries";
import { DocumentLink } from "./documentLink";
import { StockLinesForm } from "./StockLinesForm";
import { useAdjustments, type Adjustment } from "./queries";

export function AdjustmentsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const user = useUser();
  const list = useListParams(["warehouse_id"]);
  const rows = useAdjustments(list);
  const warehouse = useWarehouseLookup();
  const [creating, setCreating] = useState(false);

  const columns: Column<Adjustment>[] = [
    {
      key: "number",
      header: t("documents.number"),
      render: (a) => <DocumentLink type="adjustment" id={a.id} number={a.number} />,
    },
    { key: "warehouse", header: t("stock.warehouse"), render: (a) => warehouse(a.warehouse_id)?.code ?? "—" },
    { key: "reason", header: t("stock.adjustmentReason"), render: (a) => a.reason },
    {
      key: "lines",
      header: t("lines.title"),
      render: (a) => (
        <List size="sm" listStyleType="none">
          {a.lines.map((line) => (
            <List.Item key={line.item_id}>
              {line.sku}: {formatQuantity(line.previous_quantity, lang)} → {formatQuantity(line.counted_quantity, lang)} (
              {formatSignedQuantity(line.difference, lang)})
            </List.Item>
          ))}
        </List>
      ),
    },
    { key: "created", header: t("common.createdAt"), render: (a) => formatDateTime(a.created_at, lang) },
  ];

  return (
    <>
      <PageHeader
        title={t("stock.adjustmentsTitle")}
        description={t("stock.adjustmentsDescription")}
        actions={
          hasRole(user, "manager") ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
              {t("stock.new_adjustment")}
            </Button>
          ) : null
        }
      />
      <DataTable
        caption={t("stock.adjustmentsTitle")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(a) => a.id}
      />
      {creating ? <StockLinesForm mode="adjustment" opened onClose={() => setCreating(false)} /> : null}
    </>
  );
}
