import { Anchor, Badge, Button, Card, Grid, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconPencil } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { hasRole, useUser } from "../../app/auth";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime, formatMoney, formatQuantity, formatSignedQuantity } from "../../lib/format";
import { useAllEngines } from "../engines/queries";
import { DocumentLink } from "../stock/documentLink";
import { useMoves } from "../stock/queries";
import { useWarehouseLookup } from "../warehouses/queries";
import { ItemForm } from "./ItemForm";
import { useItem, useItemStock } from "./queries";

export function ItemDetailPage() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const user = useUser();
  const item = useItem(id);
  const stock = useItemStock(id);
  const engines = useAllEngines();
  const warehouse = useWarehouseLookup();
  const moves = useMoves({ page: 1, limit: 10, sort: "-created_at", q: "", filters: {} }, { item_id: id });
  const [editing, setEditing] = useState(false);

  if (item.error) return <ErrorAlert error={item.error} />;
  if (!item.data) return <Text c="dimmed">{t("common.loading")}</Text>;
  const it = item.data;
  const engine = engines.data?.find((e) => e.id === it.engine_id);

  return (
    <>
      <PageHeader
        title={it.sku}
        description={it.name}
        badge={
          <Group gap={4}>
            {it.low_stock ? <Badge color="orange" variant="light">{t("stock.lowStock")}</Badge> : null}
            {!it.active ? <Badge color="gray" variant="light">{t("status.inactive")}</Badge> : null}
          </Group>
        }
        actions={
          hasRole(user, "manager") ? (
            <Button variant="light" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setEditing(true)}>
              {t("common.edit")}
            </Button>
          ) : null
        }
      />
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <SimpleGrid cols={2} spacing="sm">
              <Field label={t("items.engine")}>{engine ? `${engine.code} — ${engine.name}` : "—"}</Field>
              <Field label={t("items.unit")}>{it.unit}</Field>
              <Field label={t("items.barcode")}>{it.barcode ?? "—"}</Field>
              <Field label={t("items.unitCost")}>{formatMoney(it.unit_cost, lang)}</Field>
              <Field label={t("items.reorderPoint")}>{formatQuantity(it.reorder_point, lang)}</Field>
              <Field label={t("common.updatedAt")}>{formatDateTime(it.updated_at, lang)}</Field>
            </SimpleGrid>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            <SimpleGrid cols={3} mb="sm">
              <Stack gap={0}>
                <Text size="xs" c="dimmed">{t("stock.onHand")}</Text>
                <Text size="xl" fw={700} data-testid="item-on-hand">{formatQuantity(it.on_hand, lang)}</Text>
              </Stack>
              <Stack gap={0}>
                <Text size="xs" c="dimmed">{t("stock.reserved")}</Text>
                <Text size="xl" fw={700}>{formatQuantity(it.reserved, lang)}</Text>
              </Stack>
              <Stack gap={0}>
                <Text size="xs" c="dimmed">{t("stock.available")}</Text>
                <Text size="xl" fw={700}>{formatQuantity(it.available, lang)}</Text>
              </Stack>
            </SimpleGrid>
            <Table>
              <caption style={{ captionSide: "top", textAlign: "left" }}>
                <Text size="sm" fw={600}>{t("items.byWarehouse")}</Text>
              </caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("stock.warehouse")}</Table.Th>
                  <Table.Th style={{ textAlign: "right" }}>{t("stock.onHand")}</Table.Th>
                  <Table.Th style={{ textAlign: "right" }}>{t("stock.reserved")}</Table.Th>
                  <Table.Th style={{ textAlign: "right" }}>{t("stock.available")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(stock.data?.warehouses ?? []).map((row) => (
                  <Table.Tr key={row.warehouse_id}>
                    <Table.Td>{row.warehouse_code}</Table.Td>
                    <Table.Td style={{ textAlign: "right" }}>{formatQuantity(row.on_hand, lang)}</Table.Td>
                    <Table.Td style={{ textAlign: "right" }}>{formatQuantity(row.reserved, lang)}</Table.Td>
                    <Table.Td style={{ textAlign: "right" }}>{formatQuantity(row.available, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {stock.data && stock.data.warehouses.length === 0 ? (
              <Text c="dimmed" size="sm" mt="xs">{t("items.noStock")}</Text>
            ) : null}
          </Card>
        </Grid.Col>
      </Grid>
      <Group justify="space-between" mt="lg" mb="xs">
        <Title order={2} size="h4">{t("items.recentMoves")}</Title>
        <Anchor component={Link} to={`/stock/moves?item_id=${it.id}`} size="sm">
          {t("items.allMoves")}
        </Anchor>
      </Group>
      <Card withBorder p={0}>
        <Table striped>
          <caption style={{ position: "absolute", left: -10000 }}>{t("items.recentMoves")}</caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("common.time")}</Table.Th>
              <Table.Th>{t("stock.reason")}</Table.Th>
              <Table.Th>{t("stock.document")}</Table.Th>
              <Table.Th>{t("stock.warehouse")}</Table.Th>
              <Table.Th style={{ textAlign: "right" }}>{t("stock.quantity")}</Table.Th>
              <Table.Th style={{ textAlign: "right" }}>{t("stock.balanceAfter")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(moves.data?.data ?? []).map((move) => (
              <Table.Tr key={move.id}>
                <Table.Td>{formatDateTime(move.created_at, lang)}</Table.Td>
                <Table.Td>{t(`reasons.${move.reason}`)}</Table.Td>
                <Table.Td>
                  <DocumentLink type={move.document_type} id={move.document_id} number={move.document_number} />
                </Table.Td>
                <Table.Td>{warehouse(move.warehouse_id)?.code ?? "—"}</Table.Td>
                <Table.Td style={{ textAlign: "right" }}>{formatSignedQuantity(move.quantity, lang)}</Table.Td>
                <Table.Td style={{ textAlign: "right" }}>{formatQuantity(move.balance_after, lang)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {moves.data && moves.data.data.length === 0 ? (
          <Text c="dimmed" size="sm" p="sm">{t("items.noMoves")}</Text>
        ) : null}
      </Card>
      {editing ? <ItemForm item={it} opened onClose={() => setEditing(false)} /> : null}
    </>
  );
}
