import { Select, type SelectProps } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Role } from "../../app/auth";

export const ROLES: Role[] = ["viewer", "staff", "manager", "admin"];

/** A role, with what it may do said under the field. */
export function RoleSelect({ value, onChange, ...props }: Omit<SelectProps, "data" | "onChange"> & { onChange: (role: Role) => void }) {
  const { t } = useTranslation();
  const role = ROLES.find((candidate) => candidate === value);
  return (
    <Select
      label={t("users.role")}
      required
      allowDeselect={false}
      data={ROLES.map((value) => ({ value, label: t(`roles.${value}`) }))}
      value={value}
      onChange={(next) => next && onChange(next as Role)}
      description={role ? t(`roleHints.${role}`) : undefined}
      {...props}
    />
  );
}
