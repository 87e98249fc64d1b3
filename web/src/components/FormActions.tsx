import { Button, Group } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A form's Cancel and submit buttons, submit last. */
export function FormActions({
  onCancel,
  loading,
  submitLabel,
  color,
}: {
  onCancel: () => void;
  loading: boolean;
  submitLabel?: ReactNode;
  color?: string;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t("common.cancel")}
      </Button>
      <Button type="submit" color={color} loading={loading}>
        {submitLabel ?? t("common.save")}
      </Button>
    </Group>
  );
}
