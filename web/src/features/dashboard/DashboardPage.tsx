import { BarChart } from "@mantine/charts";
import { Anchor, Badge, Card, Grid, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { sumQuantities } from "../../lib/decimal";
import { formatCount, formatDateTime, formatDay, formatMoney, formatQuantity } from "../../lib/format";
import type { DocumentKind } from "../documents/queries";
import { ItemLink } from "../items/ItemLink";
import { useDashboard, useLowStockItems, useWaitingApproval, type Dashboard } from "./queries";

function Stat({ label, value, to, hint }: { label: string; value: ReactNode; to?: string; hint?: string }) {
  const body = (
    <>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} c="dark">
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </>
  );
  return to ? (
    <Card withBorder padding="md" component={Link} to={to} style={{ textDecoration: "none" }}>
      {body}
    </Card>
  ) : (
    <Card withBorder padding="md">
      {body}
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

function Counts({ dashboard }: { dashboard: Dashboard | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const counts = dashboard?.counts;
  const count = (value: number | undefined) => (value === undefined ? "…" : formatCount(value, lang));
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} mb="md">
      <Stat
        label={t("dashboard.stockValue")}
        value={dashboard ? formatMoney(dashboard.stock_value, lang, dashboard.currency) : "…"}
        hint={t("dashboard.stockValueHint")}
        to="/stock"
      />
      <Stat label={t("dashboard.items")} value={count(counts?.items)} to="/items" />
      <Stat label={t("dashboard.lowStock")} value={count(counts?.low_stock)} to="/items?low_stock=true" />
      <Stat label={t("dashboard.openAlerts")} value={count(counts?.open_alerts)} to="/alerts?status=open" />
      <Stat label={t("dashboard.inboundDrafts")} value={count(counts?.inbound.draft)} to="/inbounds?status=draft" />
      <Stat label={t("dashboard.outboundDrafts")} value={count(counts?.outbound.draft)} to="/outbounds?status=draft" />
      <Stat label={t("dashboard.engines")} value={count(counts?.engines)} to="/engines" />
      <Stat label={t("dashboard.warehouses")} value={count(counts?.warehouses)} />
    </SimpleGrid>
  );
}

/** Quantities received and shipped per day over the last 30 days. */
function Movement({ series }: { series: Dashboard["series"] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const received = t("dashboard.received");
  const shipped = t("dashboard.shipped");
  const totals = { received: sumQuantities(series.inbound), shipped: sumQuantities(series.outbound) };
  if (totals.received === "0" && totals.shipped === "0") return <EmptyState message={t("dashboard.movementEmpty")} />;
  const data = series.days.map((day, index) => ({
    day: formatDay(day, lang),
    [received]: series.inbound[index],
    [shipped]: series.outbound[index],
  }));
  const summary = t("dashboard.movementTotals", {
    received: formatQuantity(totals.received, lang),
    shipped: formatQuantity(totals.shipped, lang),
  });
  return (
    <>
      <Text size="sm" c="dimmed" mb="xs">
        {summary}
      </Text>
      <BarChart
        h={240}
        data={data}
        dataKey="day"
        series={[
          { name: received, color: "indigo.6" },
          { name: shipped, color: "teal.6" },
        ]}
        valueFormatter={(value) => formatQuantity(value, lang)}
        withLegend
        tickLine="y"
        role="img"
        aria-label={`${t("dashboard.movement")}: ${summary}`}
      />
    </>
  );
}

function TopOutbound({ items }: { items: Dashboard["top_outbound_items"] }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return <Text size="sm" c="dimmed">{t("dashboard.noShipments")}</Text>;
  return (
    <Stack gap={6}>
      {items.map((item) => (
        <Group key={item.item_id} justify="space-between" wrap="nowrap" gap="xs">
          <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
            <ItemLink id={item.item_id} sku={item.sku} size="sm" />
            <Text size="sm" c="dimmed" truncate>
              {item.name}
            </Text>
          </Group>
          <Text size="sm" fw={600} style={{ fontVariantNumeric: "tabular-nums" }}>
            {formatQuantity(item.quantity, i18n.language)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

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

function LowStock() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const lowStock = useLowStockItems();
  if (lowStock.data && lowStock.data.data.length === 0) return <EmptyState message={t("dashboard.noLowStock")} />;
  return (
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
              <ItemLink id={item.id} sku={item.sku} size="sm" />
            </Table.Td>
            <Table.Td>{item.name}</Table.Td>
            <Table.Td style={{ textAlign: "right" }}>{formatQuantity(item.available, lang)}</Table.Td>
            <Table.Td style={{ textAlign: "right" }}>{formatQuantity(item.reorder_point, lang)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RecentFlows({ flows }: { flows: Schemas["FlowRead"][] }) {
  const { t, i18n } = useTranslation();
  if (flows.length === 0) return <Text c="dimmed">{t("dashboard.noFlows")}</Text>;
  return (
    <Stack gap={6}>
      {flows.map((flow) => {
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
              {flow.actor_name ?? t("timeline.system")} · {formatDateTime(flow.created_at, i18n.language)}
            </Text>
          </Group>
        );
      })}
    </Stack>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const { data, error } = useDashboard();
  const loading = <Text c="dimmed">{t("common.loading")}</Text>;

  return (
    <>
      <PageHeader title={t("dashboard.title")} description={t("dashboard.description")} />
      <ErrorAlert error={error} />
      <Counts dashboard={data} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Section title={t("dashboard.movement")}>{data ? <Movement series={data.series} /> : loading}</Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Section title={t("dashboard.topOutbound")}>
            {data ? <TopOutbound items={data.top_outbound_items} /> : loading}
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
            <LowStock />
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
        <Grid.Col span={12}>
          <Section title={t("dashboard.recentFlows")}>{data ? <RecentFlows flows={data.recent_flows} /> : loading}</Section>
        </Grid.Col>
      </Grid>
    </>
  );
}
