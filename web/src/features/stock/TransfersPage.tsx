import { Button, List } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime, formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useWarehouseLookup } from "../warehouses/queries";
import { DocumentLink } from "./documentLink";
import { StockLinesForm } from "./StockLinesForm";
import { useTransfers, type Transfer } from "./queries";

export function TransfersPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const user = useUser();
  const list = useListParams(["warehouse_id"]);
  const rows = useTransfers(list);
  const warehouse = useWarehouseLookup();
  const [creating, setCreating] = useState(false);

  const columns: Column<Transfer>[] = [
    {
      key: "number",
      header: t("documents.number"),
      render: (tr) => <DocumentLink type="transfer" id={tr.id} number={tr.number} />,
    },
    { key: "from", header: t("stock.fromWarehouse"), render: (tr) => warehouse(tr.from_warehouse_id)?.code ?? "—" },
    { key: "to", header: t("stock.toWarehouse"), render: (tr) => warehouse(tr.to_warehouse_id)?.code ?? "—" },
    {
      key: "lines",
      header: t("lines.title"),
      render: (tr) => (
        <List size="sm" listStyleType="none">
          {tr.lines.map((line) => (
            <List.Item key={line.item_id}>
              {line.sku}: {formatQuantity(line.quantity, lang)}
            </List.Item>
          ))}
        </List>
      ),
    },
    { key: "memo", header: t("documents.memo"), render: (tr) => tr.memo ?? "—" },
    { key: "created", header: t("common.createdAt"), render: (tr) => formatDateTime(tr.created_at, lang) },
  ];

  return (
    <>
      <PageHeader
        title={t("stock.transfersTitle")}
        description={t("stock.transfersDescription")}
        actions={
          hasRole(user, "manager") ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
              {t("stock.new_transfer")}
            </Button>
          ) : null
        }
      />
      <DataTable
        caption={t("stock.transfersTitle")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(tr) => tr.id}
      />
      {creating ? <StockLinesForm mode="transfer" opened onClose={() => setCreating(false)} /> : null}
    </>
  );
}
