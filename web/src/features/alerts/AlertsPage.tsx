import { Badge, Button, Group, SegmentedControl, Select, Text, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { hasRole, useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime, formatQuantity } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ItemLink } from "../items/ItemLink";
import { statusTab, useAcknowledgeAlert, useAlertList, type Alert } from "./queries";

const FILTERS = ["status", "acknowledged"] as const;
const TABS = ["open", "closed", "all"] as const;

export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const user = useUser();
  const message = useErrorMessage();
  const list = useListParams(FILTERS);
  const rows = useAlertList(list);
  const acknowledge = useAcknowledgeAlert();
  const tab = statusTab(list);

  const onAcknowledge = async (alert: Alert) => {
    try {
      await acknowledge.mutateAsync(alert);
      notifications.show({ color: "green", message: t("alerts.acknowledged", { sku: alert.sku }) });
    } catch (caught) {
      notifications.show({ color: "red", message: message(caught) });
    }
  };

  const columns: Column<Alert>[] = [
    {
      key: "sku",
      header: t("items.sku"),
      sortKey: "sku",
      render: (alert) => <ItemLink id={alert.item_id} sku={alert.sku} fw={600} />,
    },
    { key: "name", header: t("items.name"), render: (alert) => alert.item_name },
    {
      key: "status",
      header: t("common.status"),
      width: 90,
      render: (alert) => (
        <Badge color={alert.status === "open" ? "orange" : "gray"} variant="light" size="sm">
          {t(`alerts.statuses.${alert.status}`)}
        </Badge>
      ),
    },
    { key: "available", header: t("alerts.availableWhenOpened"), align: "right", render: (alert) => formatQuantity(alert.available, lang) },
    { key: "reorder", header: t("items.reorderPoint"), align: "right", render: (alert) => formatQuantity(alert.reorder_point, lang) },
    { key: "opened", header: t("alerts.openedAt"), sortKey: "opened_at", render: (alert) => formatDateTime(alert.opened_at, lang) },
    { key: "closed", header: t("alerts.closedAt"), sortKey: "closed_at", render: (alert) => formatDateTime(alert.closed_at, lang) },
    {
      key: "acknowledged",
      header: t("alerts.acknowledgement"),
      render: (alert) =>
        alert.acknowledged_at ? (
          <Text size="sm">
            {t("alerts.byOn", {
              name: alert.acknowledged_by_name ?? alert.acknowledged_by?.slice(0, 8) ?? "—",
              time: formatDateTime(alert.acknowledged_at, lang),
            })}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            {t("alerts.unacknowledged")}
          </Text>
        ),
    },
  ];
  if (hasRole(user, "staff")) {
    columns.push({
      key: "actions",
      header: <VisuallyHidden>{t("common.actions")}</VisuallyHidden>,
      align: "right",
      render: (alert) =>
        alert.status === "open" && !alert.acknowledged_at ? (
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconCheck size={14} aria-hidden />}
            loading={acknowledge.isPending && acknowledge.variables?.id === alert.id}
            onClick={() => void onAcknowledge(alert)}
            aria-label={t("alerts.acknowledgeNamed", { sku: alert.sku })}
          >
            {t("alerts.acknowledge")}
          </Button>
        ) : null,
    });
  }

  return (
    <>
      <PageHeader title={t("alerts.title")} description={t("alerts.description")} />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SegmentedControl
          aria-label={t("common.status")}
          value={tab}
          onChange={(value) => list.update({ status: value === "open" ? null : value })}
          data={TABS.map((value) => ({ value, label: value === "all" ? t("common.all") : t(`alerts.statuses.${value}`) }))}
        />
        <Select
          label={t("alerts.acknowledgement")}
          placeholder={t("common.all")}
          clearable
          data={[
            { value: "true", label: t("common.yes") },
            { value: "false", label: t("common.no") },
          ]}
          value={list.filters.acknowledged ?? null}
          onChange={(acknowledged) => list.update({ acknowledged })}
          w={160}
        />
      </Group>
      <DataTable
        caption={t("alerts.title")}
        columns={columns}
        {...serverTableProps(list, rows)}
        rowKey={(alert) => alert.id}
        emptyMessage={t("alerts.empty")}
      />
    </>
  );
}
