import { Modal, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormActions } from "../../components/FormActions";
import { notifySaved } from "../../lib/forms";
import { translateProblem } from "../../lib/serverMessages";
import { LineEditor, newLine, validateLines, type LineDraft } from "../documents/LineEditor";
import { shortagesOf } from "../documents/shortages";
import { useWarehouses } from "../warehouses/queries";
import { useCreateAdjustment, useCreateTransfer } from "./queries";

type Mode = "adjustment" | "transfer";

/** A stock count (adjustment) or a move between warehouses (transfer): header plus lines. */
export function StockLinesForm({ mode, opened, onClose }: { mode: Mode; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const warehouses = useWarehouses();
  const adjust = useCreateAdjustment();
  const transfer = useCreateTransfer();
  const [warehouseId, setWarehouseId] = useState<string | null>(null);
  const [toWarehouseId, setToWarehouseId] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [lines, setLines] = useState<LineDraft[]>([newLine()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const quantityField = mode === "adjustment" ? "counted_quantity" : "quantity";
  const options = (warehouses.data ?? []).filter((w) => w.active).map((w) => ({ value: w.id, label: `${w.code} — ${w.name}` }));
  const fromField = mode === "adjustment" ? "warehouse_id" : "from_warehouse_id";

  async function submit() {
    const found = validateLines(lines, t, { allowZero: mode === "adjustment", quantityField });
    if (!warehouseId) found[fromField] = t("validation.required");
    if (mode === "transfer" && !toWarehouseId) found.to_warehouse_id = t("validation.required");
    if (mode === "transfer" && warehouseId && warehouseId === toWarehouseId) found.to_warehouse_id = t("stock.sameWarehouse");
    if (mode === "adjustment" && !text.trim()) found.reason = t("validation.required");
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) return;
    try {
      const saved =
        mode === "adjustment"
          ? await adjust.mutateAsync({
              warehouse_id: warehouseId!,
              reason: text.trim(),
              lines: lines.map((l) => ({ item_id: l.item!.id, counted_quantity: l.quantity.trim() })),
            })
          : await transfer.mutateAsync({
              from_warehouse_id: warehouseId!,
              to_warehouse_id: toWarehouseId!,
              memo: text.trim() || null,
              lines: lines.map((l) => ({ item_id: l.item!.id, quantity: l.quantity.trim() })),
            });
      notifySaved(t, t(`stock.${mode}Saved`, { number: saved.number }));
      onClose();
    } catch (caught) {
      const serverErrors: Record<string, string> = {};
      if (isApiError(caught)) for (const e of caught.errors) serverErrors[e.field] = translateProblem(e, t);
      setErrors(serverErrors);
      setProblem(caught);
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t(`stock.new_${mode}`)} size="xl" centered>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <ErrorAlert error={problem} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={mode === "adjustment" ? t("stock.warehouse") : t("stock.fromWarehouse")}
              required
              data={options}
              value={warehouseId}
              onChange={setWarehouseId}
              error={errors[fromField]}
            />
            {mode === "transfer" ? (
              <Select label={t("stock.toWarehouse")} required data={options} value={toWarehouseId} onChange={setToWarehouseId} error={errors.to_warehouse_id} />
            ) : null}
            <TextInput
              label={mode === "adjustment" ? t("stock.adjustmentReason") : t("documents.memo")}
              required={mode === "adjustment"}
              value={text}
              onChange={(event) => setText(event.currentTarget.value)}
              error={errors[mode === "adjustment" ? "reason" : "memo"]}
              maxLength={mode === "adjustment" ? 500 : 2000}
            />
          </SimpleGrid>
          <LineEditor
            lines={lines}
            onChange={setLines}
            errors={errors}
            shortages={shortagesOf(problem)}
            quantityField={quantityField}
            quantityLabel={mode === "adjustment" ? t("stock.countedQuantity") : t("lines.quantity")}
          />
          <FormActions onCancel={onClose} loading={adjust.isPending || transfer.isPending} submitLabel={t(`stock.submit_${mode}`)} />
        </Stack>
      </form>
    </Modal>
  );
}
