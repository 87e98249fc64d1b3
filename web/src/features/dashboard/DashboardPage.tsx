import { BarChart } from "@mantine/charts";
import { Anchor, Badge, Card, Grid, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { EmptyState } from "../../components/EmptyState";
import { PageHeader } from "../../components/PageHeader";
import { formatCount, formatDateTime, formatQuantity } from "../../lib/format";
import type { DocumentKind } from "../documents/queries";
import { useCounts, useDocumentStatusCounts, useLowStockItems, useRecentFlows, useWaitingApproval } from "./queries";

function Stat({ label, value, to }: { label: string; value: number | undefined; to: string }) {
  const { i18n } = useTranslation();
  return (
    <Card withBorder padding="md" component={Link} to={to} style={{ textDecoration: "none" }}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} c="dark">
        {value === undefined ? "…" : formatCount(value, i18n.language)}
      </Text>
    </Card>
  );
}

function Section({ title, children, link }: { title: string; children: ReactNode; link?: ReactNode }) {
  return (
    <Card withBorder h="100%">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {title}
        </Title>
        {link}
      </Group>
      {children}
    </Card>
  );
}

const FLOW_ENTITY_LINKS: Record<string, (flow: Schemas["FlowRead"]) => string | null> = {
  inbound: (f) => `/inbounds/${f.entity_id}`,
  outbound: (f) => `/outbounds/${f.entity_id}`,
  item: (f) => `/items/${f.entity_id}`,
  engine: () => "/engines",
  adjustment: () => "/stock/adjustments",
  transfer: () => "/stock/transfers",
};

const ENTITY_TYPES = ["engine", "item", "warehouse", "inbound", "outbound", "adjustment", "transfer"] as const;
const FLOW_ACTIONS = ["created", "updated", "approved", "committed", "cancelled", "adjusted", "transferred", "deleted"] as const;

function Waiting({ kind }: { kind: DocumentKind }) {
  const { t, i18n } = useTranslation();
  const { data } = useWaitingApproval(kind);
  if (data && data.data.length === 0) return <Text size="sm" c="dimmed">{t("dashboard.nothingWaiting")}</Text>;
  return (
    <Stack gap={4}>
      {(data?.data ?? []).map((doc) => (
        <Group key={doc.id} justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={`/${kind}s/${doc.id}`} size="sm">
            {doc.number}
          </Anchor>
          <Text size="sm" c="dimmed" truncate>
            {doc.partner ?? "—"} · {formatQuantity(doc.total_quantity, i18n.language)}
          </Text>
        </Group>
      ))}
      {data && data.count > data.data.length ? (
        <Anchor component={Link} to={`/${kind}s?status=draft`} size="sm">
          {t("dashboard.allWaiting", { total: data.count })}
        </Anchor>
      ) : null}
    </Stack>
  );
}

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const counts = useCounts();
  const statusCounts = useDocumentStatusCounts();
  const lowStock = useLowStockItems();
  const flows = useRecentFlows();
  const waitingIn = useWaitingApproval("inbound");
  const waitingOut = useWaitingApproval("outbound");

  const chart = (statusCounts.data ?? []).map((row) => ({
    status: t(`status.${row.status}`),
    [t("nav.inbounds")]: row.inbound,
    [t("nav.outbounds")]: row.outbound,
  }));

  return (
    <>
      <PageHeader title={t("dashboard.title")} description={t("dashboard.description")} />
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} mb="md">
        <Stat label={t("dashboard.engines")} value={counts.data?.engines} to="/engines" />
        <Stat label={t("dashboard.items")} value={counts.data?.items} to="/items" />
        <Stat label={t("dashboard.lowStock")} value={counts.data?.lowStock} to="/items?low_stock=true" />
        <Stat label={t("dashboard.inboundDrafts")} value={waitingIn.data?.count} to="/inbounds?status=draft" />
        <Stat label={t("dashboard.outboundDrafts")} value={waitingOut.data?.count} to="/outbounds?status=draft" />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t("dashboard.documentsByStatus")}>
            {statusCounts.data ? (
              <BarChart
                h={220}
                data={chart}
                dataKey="status"
                series={[
                  { name: t("nav.inbounds"), color: "indigo.6" },
                  { name: t("nav.outbounds"), color: "teal.6" },
                ]}
                withLegend
                tickLine="y"
                aria-label={t("dashboard.documentsByStatus")}
                role="img"
              />
            ) : (
              <Text c="dimmed">{t("common.loading")}</Text>
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section
            title={t("dashboard.lowStockItems")}
            link={
              <Anchor component={Link} to="/items?low_stock=true" size="sm">
                {t("dashboard.seeAll")}
              </Anchor>
            }
          >
            {lowStock.data && lowStock.data.data.length === 0 ? (
              <EmptyState message={t("dashboard.noLowStock")} />
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("items.sku")}</Table.Th>
                    <Table.Th>{t("items.name")}</Table.Th>
                    <Table.Th style={{ textAlign: "right" }}>{t("stock.available")}</Table.Th>
                    <Table.Th style={{ textAlign: "right" }}>{t("items.reorderPoint")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {(lowStock.data?.data ?? []).map((item) => (
                    <Table.Tr key={item.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/items/${item.id}`} size="sm">
                          {item.sku}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{item.name}</Table.Td>
                      <Table.Td style={{ textAlign: "right" }}>{formatQuantity(item.available, lang)}</Table.Td>
                      <Table.Td style={{ textAlign: "right" }}>{formatQuantity(item.reorder_point, lang)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t("dashboard.waitingApproval")}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <div>
                <Text size="sm" fw={600} mb={4}>
                  {t("nav.inbounds")}
                </Text>
                <Waiting kind="inbound" />
              </div>
              <div>
                <Text size="sm" fw={600} mb={4}>
                  {t("nav.outbounds")}
                </Text>
                <Waiting kind="outbound" />
              </div>
            </SimpleGrid>
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t("dashboard.recentFlows")}>
            <Stack gap={6}>
              {(flows.data?.data ?? []).map((flow) => {
                const to = FLOW_ENTITY_LINKS[flow.entity_type]?.(flow) ?? null;
                const entity = (ENTITY_TYPES as readonly string[]).includes(flow.entity_type)
                  ? t(`entities.${flow.entity_type as (typeof ENTITY_TYPES)[number]}`)
                  : flow.entity_type;
                const action = (FLOW_ACTIONS as readonly string[]).includes(flow.action)
                  ? t(`flowActions.${flow.action as (typeof FLOW_ACTIONS)[number]}`)
                  : flow.action;
                const label = flow.entity_number ?? entity;
                return (
                  <Group key={flow.id} justify="space-between" wrap="nowrap" gap="xs">
                    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
                      <Badge size="sm" variant="light" color="gray">
                        {entity}
                      </Badge>
                      {to ? (
                        <Anchor component={Link} to={to} size="sm" truncate>
                          {label}
                        </Anchor>
                      ) : (
                        <Text size="sm" truncate>
                          {label}
                        </Text>
                      )}
                      <Text size="sm">{action}</Text>
                    </Group>
                    <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                      {flow.actor_name ?? t("timeline.system")} · {formatDateTime(flow.created_at, lang)}
                    </Text>
                  </Group>
                );
              })}
              {flows.data && flows.data.data.length === 0 ? <Text c="dimmed">{t("dashboard.noFlows")}</Text> : null}
            </Stack>
          </Section>
        </Grid.Col>
      </Grid>
    </>
  );
}
