import { Modal, Select, SimpleGrid, Stack, Switch, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { QuantityInput } from "../../components/QuantityInput";
import { FormActions } from "../../components/FormActions";
import { quantityProblem, toDecimalString } from "../../lib/decimal";
import { applyServerErrors, notifySaved } from "../../lib/forms";
import { useAllEngines } from "../engines/queries";
import { useSaveItem, type Item } from "./queries";

const MONEY = /^\d{1,11}(\.\d{1,4})?$/;

export function ItemForm({
  item,
  opened,
  onClose,
  onSaved,
}: {
  item?: Item;
  opened: boolean;
  onClose: () => void;
  onSaved?: (item: Item) => void;
}) {
  const { t } = useTranslation();
  const save = useSaveItem();
  const engines = useAllEngines();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: {
      sku: item?.sku ?? "",
      name: item?.name ?? "",
      engine_id: item?.engine_id ?? "",
      unit: item?.unit ?? "EA",
      barcode: item?.barcode ?? "",
      unit_cost: item ? toDecimalString(item.unit_cost) : "0",
      reorder_point: item ? toDecimalString(item.reorder_point) : "0",
      active: item?.active ?? true,
    },
    validate: {
      sku: (v) => (v.trim() ? null : t("validation.required")),
      name: (v) => (v.trim() ? null : t("validation.required")),
      unit: (v) => (v.trim() ? null : t("validation.required")),
      unit_cost: (v) => (MONEY.test(v.trim()) ? null : t("validation.money")),
      reorder_point: (v) => {
        const problem = quantityProblem(v, { allowZero: true });
        return problem ? t(`validation.quantity.${problem}`) : null;
      },
    },
  });

  return (
    <Modal opened={opened} onClose={onClose} title={item ? t("items.edit") : t("items.new")} size="lg" centered>
      <form
        noValidate
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            const saved = await save.mutateAsync({
              item,
              body: {
                sku: values.sku.trim(),
                name: values.name.trim(),
                engine_id: values.engine_id || null,
                unit: values.unit.trim(),
                barcode: values.barcode.trim() || null,
                unit_cost: values.unit_cost.trim(),
                reorder_point: values.reorder_point.trim(),
                active: values.active,
              },
            });
            notifySaved(t);
            onSaved?.(saved);
            onClose();
          } catch (caught) {
            if (!applyServerErrors(form, caught, t)) setError(caught);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t("items.sku")} required maxLength={64} data-autofocus {...form.getInputProps("sku")} />
            <TextInput label={t("items.name")} required maxLength={200} {...form.getInputProps("name")} />
            <Select
              label={t("items.engine")}
              placeholder={t("common.none")}
              clearable
              searchable
              data={(engines.data ?? []).map((e) => ({ value: e.id, label: `${e.code} — ${e.name}` }))}
              {...form.getInputProps("engine_id")}
              value={form.values.engine_id || null}
              onChange={(value) => form.setFieldValue("engine_id", value ?? "")}
            />
            <TextInput label={t("items.unit")} required maxLength={16} {...form.getInputProps("unit")} />
            <TextInput label={t("items.barcode")} maxLength={64} autoComplete="off" {...form.getInputProps("barcode")} />
            <QuantityInput
              label={t("items.unitCost")}
              {...form.getInputProps("unit_cost")}
              value={form.values.unit_cost}
              onChange={(v) => form.setFieldValue("unit_cost", v)}
            />
            <QuantityInput
              label={t("items.reorderPoint")}
              description={t("items.reorderPointHint")}
              {...form.getInputProps("reorder_point")}
              value={form.values.reorder_point}
              onChange={(v) => form.setFieldValue("reorder_point", v)}
            />
          </SimpleGrid>
          <Switch label={t("items.active")} {...form.getInputProps("active", { type: "checkbox" })} />
          <FormActions onCancel={onClose} loading={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
