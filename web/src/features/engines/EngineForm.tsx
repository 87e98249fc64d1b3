import { Modal, Select, Stack, TextInput, Textarea } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormActions } from "../../components/FormActions";
import { applyServerErrors, notifySaved } from "../../lib/forms";
import { useSaveEngine, type Engine } from "./queries";

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

export function EngineForm({ engine, opened, onClose }: { engine?: Engine; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveEngine();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: {
      code: engine?.code ?? "",
      name: engine?.name ?? "",
      description: engine?.description ?? "",
      status: engine?.status ?? "active",
    },
    validate: {
      code: (value) => (!value.trim() ? t("validation.required") : CODE.test(value.trim()) ? null : t("validation.code")),
      name: (value) => (value.trim() ? null : t("validation.required")),
    },
  });

  return (
    <Modal opened={opened} onClose={onClose} title={engine ? t("engines.edit") : t("engines.new")} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            await save.mutateAsync({
              engine,
              body: {
                code: values.code.trim().toUpperCase(),
                name: values.name.trim(),
                description: values.description.trim() || null,
                status: values.status as Engine["status"],
              },
            });
            notifySaved(t);
            onClose();
          } catch (caught) {
            if (!applyServerErrors(form, caught, t)) setError(caught);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={error} />
          <TextInput label={t("engines.code")} description={t("engines.codeHint")} required maxLength={32} data-autofocus {...form.getInputProps("code")} />
          <TextInput label={t("engines.name")} required maxLength={200} {...form.getInputProps("name")} />
          <Textarea label={t("engines.description")} autosize minRows={2} {...form.getInputProps("description")} />
          <Select
            label={t("engines.status")}
            data={[
              { value: "active", label: t("status.active") },
              { value: "inactive", label: t("status.inactive") },
            ]}
            allowDeselect={false}
            {...form.getInputProps("status")}
          />
          <FormActions onCancel={onClose} loading={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
