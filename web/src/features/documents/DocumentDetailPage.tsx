import { Alert, Anchor, Button, Card, Grid, List, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconPencil } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { isApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDateTime, formatMoney, formatQuantity } from "../../lib/format";
import { ItemLink } from "../items/ItemLink";
import { useWarehouseLookup } from "../warehouses/queries";
import { DocumentActions } from "./DocumentActions";
import { FlowTimeline } from "./FlowTimeline";
import { pathOf, useDocument, useDocumentAction, type DocumentAction, type DocumentKind } from "./queries";
import { shortagesOf } from "./shortages";

export function DocumentDetailPage({ kind }: { kind: DocumentKind }) {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const { data: doc, error } = useDocument(kind, id);
  const run = useDocumentAction(kind);
  const warehouse = useWarehouseLookup();
  const [actionError, setActionError] = useState<unknown>(null);
  const [pending, setPending] = useState<DocumentAction | null>(null);
  const shortages = useMemo(() => shortagesOf(actionError), [actionError]);
  const opposite: DocumentKind = kind === "inbound" ? "outbound" : "inbound";

  if (error) return <ErrorAlert error={error} />;
  if (!doc) return <Text c="dimmed">{t("common.loading")}</Text>;

  async function onAction(action: DocumentAction, reason?: string) {
    setPending(action);
    setActionError(null);
    try {
      const result = await run.mutateAsync({ document: doc!, action, reason });
      notifications.show({ color: "green", message: t(`actions.${action}.done`, { number: doc!.number }) });
      if (action === "reverse") navigate(`${pathOf(opposite)}/${result.id}`);
    } catch (caught) {
      setActionError(caught);
    } finally {
      setPending(null);
    }
  }

  const wh = warehouse(doc.warehouse_id);
  const shortIndexes = Object.keys(shortages).map(Number);

  return (
    <>
      <PageHeader
        title={doc.number}
        badge={<StatusBadge status={doc.status} size="lg" testId="document-status" />}
        description={t(`documents.${kind}.one`)}
        actions={
          <>
            {doc.allowed_actions.includes("update") ? (
              <Button component={Link} to={`${pathOf(kind)}/${doc.id}/edit`} variant="default" leftSection={<IconPencil size={16} aria-hidden />}>
                {t("common.edit")}
              </Button>
            ) : null}
            <DocumentActions kind={kind} number={doc.number} allowedActions={doc.allowed_actions} pending={pending} onAction={onAction} />
          </>
        }
      />
      {shortIndexes.length > 0 ? (
        <Alert color="red" variant="light" role="alert" icon={<IconAlertTriangle size={18} aria-hidden />} title={t("errors.codes.insufficient_stock")} mb="md">
          <List size="sm">
            {shortIndexes.map((index) => {
              const line = doc.lines[index];
              return (
                <List.Item key={index}>
                  {t("documents.shortLine", {
                    line: index + 1,
                    sku: line?.sku ?? "?",
                    requested: formatQuantity(shortages[index].requested, lang),
                    available: formatQuantity(shortages[index].available, lang),
                  })}
                </List.Item>
              );
            })}
          </List>
        </Alert>
      ) : isApiError(actionError) || actionError ? (
        <ErrorAlert error={actionError} />
      ) : null}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card withBorder mb="md">
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
              <Field label={t("stock.warehouse")}>{wh ? `${wh.code} — ${wh.name}` : "—"}</Field>
              <Field label={t(`documents.${kind}.partner`)}>{doc.partner ?? "—"}</Field>
              <Field label={t("documents.reference")}>{doc.reference ?? "—"}</Field>
              <Field label={t("documents.expectedAt")}>{formatDateTime(doc.expected_at, lang)}</Field>
              <Field label={t("common.createdAt")}>{formatDateTime(doc.created_at, lang)}</Field>
              <Field label={t("documents.approvedAt")}>{formatDateTime(doc.approved_at, lang)}</Field>
              <Field label={t("documents.committedAt")}>{formatDateTime(doc.committed_at, lang)}</Field>
              {doc.cancelled_at ? <Field label={t("documents.cancelledAt")}>{formatDateTime(doc.cancelled_at, lang)}</Field> : null}
              {doc.cancel_reason ? <Field label={t("documents.cancelReason")}>{doc.cancel_reason}</Field> : null}
              {doc.reverses_id ? (
                <Field label={t("documents.reverses")}>
                  <Anchor component={Link} to={`${pathOf(opposite)}/${doc.reverses_id}`}>
                    {t("documents.openOriginal")}
                  </Anchor>
                </Field>
              ) : null}
              {doc.reversed_by_id ? (
                <Field label={t("documents.reversedBy")}>
                  <Anchor component={Link} to={`${pathOf(opposite)}/${doc.reversed_by_id}`}>
                    {t("documents.openReversal")}
                  </Anchor>
                </Field>
              ) : null}
            </SimpleGrid>
            {doc.memo ? (
              <Text size="sm" mt="sm" style={{ whiteSpace: "pre-wrap" }}>
                {doc.memo}
              </Text>
            ) : null}
          </Card>
          <Title order={2} size="h4" mb="xs">
            {t("lines.title")}
          </Title>
          <Card withBorder p={0}>
            <Table.ScrollContainer minWidth={480}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={40}>#</Table.Th>
                    <Table.Th>{t("items.sku")}</Table.Th>
                    <Table.Th>{t("items.name")}</Table.Th>
                    <Table.Th style={{ textAlign: "right" }}>{t("lines.quantity")}</Table.Th>
                    {kind === "inbound" ? <Table.Th style={{ textAlign: "right" }}>{t("lines.unitCost")}</Table.Th> : null}
                    {shortIndexes.length ? <Table.Th style={{ textAlign: "right" }}>{t("stock.available")}</Table.Th> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {doc.lines.map((line, index) => {
                    const shortage = shortages[index];
                    return (
                      <Table.Tr
                        key={line.id}
                        data-short={shortage ? "true" : undefined}
                        style={shortage ? { background: "var(--mantine-color-red-0)", boxShadow: "inset 4px 0 0 var(--mantine-color-red-7)" } : undefined}
                      >
                        <Table.Td>{index + 1}</Table.Td>
                        <Table.Td>
                          <ItemLink id={line.item_id} sku={line.sku} />
                        </Table.Td>
                        <Table.Td>{line.item_name}</Table.Td>
                        <Table.Td style={{ textAlign: "right", fontWeight: shortage ? 700 : undefined }}>
                          {formatQuantity(line.quantity, lang)}
                        </Table.Td>
                        {kind === "inbound" ? <Table.Td style={{ textAlign: "right" }}>{formatMoney(line.unit_cost, lang)}</Table.Td> : null}
                        {shortIndexes.length ? (
                          <Table.Td style={{ textAlign: "right" }}>
                            {shortage ? (
                              <Text span c="red.9" fw={700} size="sm">
                                {t("lines.short", {
                                  requested: formatQuantity(shortage.requested, lang),
                                  available: formatQuantity(shortage.available, lang),
                                })}
                              </Text>
                            ) : null}
                          </Table.Td>
                        ) : null}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
                <Table.Tfoot>
                  <Table.Tr>
                    <Table.Th colSpan={3}>{t("documents.totalQuantity")}</Table.Th>
                    <Table.Th style={{ textAlign: "right" }}>{formatQuantity(doc.total_quantity, lang)}</Table.Th>
                    {kind === "inbound" ? <Table.Th /> : null}
                    {shortIndexes.length ? <Table.Th /> : null}
                  </Table.Tr>
                </Table.Tfoot>
              </Table>
            </Table.ScrollContainer>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t("timeline.title")}
            </Title>
            <FlowTimeline flows={doc.history} />
          </Card>
        </Grid.Col>
      </Grid>
    </>
  );
}
