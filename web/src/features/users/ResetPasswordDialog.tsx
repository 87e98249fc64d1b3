import { Modal, PasswordInput, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormActions } from "../../components/FormActions";
import { applyServerErrors, notifySaved } from "../../lib/forms";
import { useResetPassword, type User } from "./queries";

/** An admin sets a new password for someone; the server ends their sessions. */
export function ResetPasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const reset = useResetPassword();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { new_password: "" },
    validate: { new_password: (v) => (v ? null : t("validation.required")) },
  });

  return (
    <Modal opened onClose={onClose} title={t("users.resetTitle", { name: user.name })} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(async ({ new_password }) => {
          setError(null);
          try {
            await reset.mutateAsync({ user, password: new_password });
            notifySaved(t, t("users.resetDone", { name: user.name }));
            onClose();
          } catch (caught) {
            if (!applyServerErrors(form, caught, t)) setError(caught);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={error} />
          <Text size="sm">{t("users.resetHint")}</Text>
          <PasswordInput
            label={t("users.newPassword")}
            description={t("users.passwordHint")}
            required
            autoComplete="new-password"
            data-autofocus
            {...form.getInputProps("new_password")}
          />
          <FormActions onCancel={onClose} loading={reset.isPending} submitLabel={t("users.resetPassword")} color="orange" />
        </Stack>
      </form>
    </Modal>
  );
}
