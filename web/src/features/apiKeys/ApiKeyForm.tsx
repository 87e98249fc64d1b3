import { Modal, Stack, TextInput } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { useForm } from "@mantine/form";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../app/auth";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormActions } from "../../components/FormActions";
import { applyServerErrors } from "../../lib/forms";
import { RoleSelect } from "../users/RoleSelect";
import { useCreateApiKey, type CreatedApiKey } from "./queries";

const PICKED = "YYYY-MM-DD HH:mm:ss";

/** Name, role and an optional expiry; the created key (with its secret) goes to `onCreated`. */
export function ApiKeyForm({ onClose, onCreated }: { onClose: () => void; onCreated: (key: CreatedApiKey) => void }) {
  const { t } = useTranslation();
  const create = useCreateApiKey();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { name: "", role: "viewer" as Role, expires_at: "" },
    validate: {
      name: (v) => (v.trim() ? null : t("validation.required")),
      expires_at: (v) => (!v || dayjs(v).isAfter(dayjs()) ? null : t("validation.future")),
    },
  });

  return (
    <Modal opened onClose={onClose} title={t("apiKeys.new")} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            const key = await create.mutateAsync({
              name: values.name.trim(),
              role: values.role,
              expires_at: values.expires_at ? dayjs(values.expires_at).toISOString() : null,
            });
            onCreated(key);
          } catch (caught) {
            if (!applyServerErrors(form, caught, t)) setError(caught);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={error} />
          <TextInput
            label={t("apiKeys.name")}
            description={t("apiKeys.nameHint")}
            required
            maxLength={200}
            data-autofocus
            {...form.getInputProps("name")}
          />
          <RoleSelect {...form.getInputProps("role")} />
          <DateTimePicker
            label={t("apiKeys.expiresAt")}
            description={t("apiKeys.expiresHint")}
            valueFormat="YYYY-MM-DD HH:mm"
            minDate={dayjs().format(PICKED)}
            clearable
            {...form.getInputProps("expires_at")}
            value={form.values.expires_at || null}
            onChange={(value) => form.setFieldValue("expires_at", value ?? "")}
          />
          <FormActions onCancel={onClose} loading={create.isPending} submitLabel={t("apiKeys.create")} />
        </Stack>
      </form>
    </Modal>
  );
}
