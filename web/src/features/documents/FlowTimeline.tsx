import { Text, Timeline } from "@mantine/core";
import { IconCheck, IconCircleDot, IconPencil, IconTruckDelivery, IconX } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { formatDateTime } from "../../lib/format";

type Flow = Schemas["FlowRead"];

const ICONS: Record<string, typeof IconCheck> = {
  created: IconCircleDot,
  updated: IconPencil,
  approved: IconCheck,
  committed: IconTruckDelivery,
  cancelled: IconX,
};

const ACTIONS = ["created", "updated", "approved", "committed", "cancelled", "adjusted", "transferred", "deleted"] as const;
type FlowAction = (typeof ACTIONS)[number];
const isAction = (value: string): value is FlowAction => (ACTIONS as readonly string[]).includes(value);

const STATUSES = ["draft", "approved", "committed", "cancelled"] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string | null): value is Status => !!value && (STATUSES as readonly string[]).includes(value);

/** The document's flows, oldest first: who did what, when, and the state it moved to. */
export function FlowTimeline({ flows }: { flows: Flow[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Timeline active={flows.length - 1} bulletSize={24} lineWidth={2}>
      {flows.map((flow) => {
        const Icon = ICONS[flow.action] ?? IconCircleDot;
        const transition =
          isStatus(flow.from_status) && isStatus(flow.to_status) && flow.from_status !== flow.to_status
            ? t("timeline.transition", { from: t(`status.${flow.from_status}`), to: t(`status.${flow.to_status}`) })
            : isStatus(flow.to_status) && !flow.from_status
              ? t(`status.${flow.to_status}`)
              : null;
        return (
          <Timeline.Item key={flow.id} bullet={<Icon size={14} aria-hidden />} title={isAction(flow.action) ? t(`flowActions.${flow.action}`) : flow.action}>
            {transition ? <Text size="sm">{transition}</Text> : null}
            {flow.note ? (
              <Text size="sm" c="dimmed">
                “{flow.note}”
              </Text>
            ) : null}
            <Text size="xs" c="dimmed" mt={2}>
              {t("timeline.by", { actor: flow.actor_name ?? t("timeline.system"), time: formatDateTime(flow.created_at, i18n.language) })}
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
