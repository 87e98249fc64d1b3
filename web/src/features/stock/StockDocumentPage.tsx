import { Anchor, Card, SimpleGrid, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime, formatQuantity, formatSignedQuantity } from "../../lib/format";
import { ItemLink } from "../items/ItemLink";
import { useWarehouseLookup } from "../warehouses/queries";
import { useAdjustment, useTransfer, type Adjustment, type Transfer } from "./queries";

interface Shown {
  number: string;
  description: string;
  fields: Array<[string, ReactNode]>;
  quantities: string[];
  lines: Array<{ item_id: string; sku: string; item_name: string; values: ReactNode[] }>;
}

/** An adjustment or a transfer: read-only once posted, so a header and its lines. */
function StockDocument({ shown, list, listTitle }: { shown: Shown; list: string; listTitle: string }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader
        title={shown.number}
        description={shown.description}
        actions={
          <Anchor component={Link} to={list} size="sm">
            {listTitle}
          </Anchor>
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 1, sm: shown.fields.length }} spacing="sm">
          {shown.fields.map(([label, value]) => (
            <Field key={label} label={label}>
              {value}
            </Field>
          ))}
        </SimpleGrid>
      </Card>
      <Title order={2} size="h4" mb="xs">
        {t("lines.title")}
      </Title>
      <Card withBorder p={0}>
        <Table striped>
          <caption style={{ position: "absolute", left: -10000 }}>{t("lines.title")}</caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("items.sku")}</Table.Th>
              <Table.Th>{t("items.name")}</Table.Th>
              {shown.quantities.map((header) => (
                <Table.Th key={header} style={{ textAlign: "right" }}>
                  {header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.lines.map((line) => (
              <Table.Tr key={line.item_id}>
                <Table.Td>
                  <ItemLink id={line.item_id} sku={line.sku} />
                </Table.Td>
                <Table.Td>{line.item_name}</Table.Td>
                {line.values.map((value, index) => (
                  <Table.Td key={shown.quantities[index]} style={{ textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
                    {value}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </>
  );
}

function useShown() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const warehouse = useWarehouseLookup();
  const code = (id: string) => warehouse(id)?.code ?? "—";
  return {
    adjustment: (a: Adjustment): Shown => ({
      number: a.number,
      description: t("stock.adjustmentOf", { warehouse: code(a.warehouse_id) }),
      fields: [
        [t("stock.warehouse"), code(a.warehouse_id)],
        [t("stock.adjustmentReason"), a.reason],
        [t("common.createdAt"), formatDateTime(a.created_at, lang)],
      ],
      quantities: [t("stock.previousQuantity"), t("stock.countedQuantity"), t("stock.difference")],
      lines: a.lines.map((line) => ({
        ...line,
        values: [
          formatQuantity(line.previous_quantity, lang),
          formatQuantity(line.counted_quantity, lang),
          formatSignedQuantity(line.difference, lang),
        ],
      })),
    }),
    transfer: (tr: Transfer): Shown => ({
      number: tr.number,
      description: t("stock.transferOf", { from: code(tr.from_warehouse_id), to: code(tr.to_warehouse_id) }),
      fields: [
        [t("stock.fromWarehouse"), code(tr.from_warehouse_id)],
        [t("stock.toWarehouse"), code(tr.to_warehouse_id)],
        [t("documents.memo"), tr.memo ?? "—"],
        [t("common.createdAt"), formatDateTime(tr.created_at, lang)],
      ],
      quantities: [t("stock.quantity")],
      lines: tr.lines.map((line) => ({ ...line, values: [formatQuantity(line.quantity, lang)] })),
    }),
  };
}

/** The page of an adjustment or a transfer (`/stock/adjustments/:id`, `/stock/transfers/:id`). */
export function StockDocumentPage({ kind }: { kind: "adjustment" | "transfer" }) {
  const { id } = useParams();
  const { t } = useTranslation();
  const adjustment = useAdjustment(kind === "adjustment" ? id : undefined);
  const transfer = useTransfer(kind === "transfer" ? id : undefined);
  const show = useShown();
  const error = kind === "adjustment" ? adjustment.error : transfer.error;
  if (error) return <ErrorAlert error={error} />;
  const shown =
    kind === "adjustment"
      ? adjustment.data && show.adjustment(adjustment.data)
      : transfer.data && show.transfer(transfer.data);
  if (!shown) return <Text c="dimmed">{t("common.loading")}</Text>;
  return <StockDocument shown={shown} list={`/stock/${kind}s`} listTitle={t(`stock.${kind}sTitle`)} />;
}
