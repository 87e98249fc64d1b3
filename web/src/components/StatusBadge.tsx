import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

const COLORS: Record<string, string> = {
  draft: "gray",
  approved: "blue",
  committed: "green",
  cancelled: "red",
  active: "green",
  inactive: "gray",
};

type Status = "draft" | "approved" | "committed" | "cancelled" | "active" | "inactive";

export function StatusBadge({ status, size = "md", testId }: { status: Status; size?: "sm" | "md" | "lg"; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status] ?? "gray"} variant="light" size={size} data-testid={testId}>
      {t(`status.${status}`)}
    </Badge>
  );
}
