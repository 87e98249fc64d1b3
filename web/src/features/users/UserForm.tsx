import { Modal, PasswordInput, Stack, Switch, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormActions } from "../../components/FormActions";
import { applyServerErrors, notifySaved } from "../../lib/forms";
import { ROLES, RoleSelect } from "./RoleSelect";
import { useSaveUser, type User } from "./queries";

/** Create a user (with an initial password) or change one's name, role and whether it is active. */
export function UserForm({ user, onClose }: { user?: User; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveUser();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: {
      email: user?.email ?? "",
      name: user?.name ?? "",
      role: user?.role ?? ("staff" as User["role"]),
      password: "",
      active: user?.active ?? true,
    },
    validate: {
      email: (v) => (user || /^[^@\s]+@[^@\s]+$/.test(v.trim()) ? null : t("validation.email")),
      name: (v) => (v.trim() ? null : t("validation.required")),
      role: (v) => (ROLES.includes(v) ? null : t("validation.required")),
      // The policy (length, common passwords, not the email) is the server's to judge.
      password: (v) => (user || v ? null : t("validation.required")),
    },
  });

  return (
    <Modal opened onClose={onClose} title={user ? t("users.editNamed", { name: user.name }) : t("users.new")} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            const body = user
              ? { name: values.name.trim(), role: values.role, active: values.active }
              : { email: values.email.trim(), name: values.name.trim(), role: values.role, password: values.password };
            const saved = await save.mutateAsync({ user, body });
            notifySaved(t, user ? undefined : t("users.created", { email: saved.email }));
            onClose();
          } catch (caught) {
            if (!applyServerErrors(form, caught, t)) setError(caught);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={error} />
          <TextInput
            label={t("users.email")}
            type="email"
            required={!user}
            disabled={!!user}
            maxLength={254}
            autoComplete="off"
            data-autofocus={!user || undefined}
            {...form.getInputProps("email")}
          />
          <TextInput label={t("users.name")} required maxLength={200} data-autofocus={!!user || undefined} {...form.getInputProps("name")} />
          <RoleSelect {...form.getInputProps("role")} />
          {user ? (
            <Switch label={t("users.active")} description={t("users.activeHint")} {...form.getInputProps("active", { type: "checkbox" })} />
          ) : (
            <PasswordInput
              label={t("users.password")}
              description={t("users.passwordHint")}
              required
              autoComplete="new-password"
              {...form.getInputProps("password")}
            />
          )}
          <FormActions onCancel={onClose} loading={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
