import { Card, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { isApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { FormActions } from "../../components/FormActions";
import { toDecimalString } from "../../lib/decimal";
import { notifySaved } from "../../lib/forms";
import { translateProblem } from "../../lib/serverMessages";
import { useWarehouses } from "../warehouses/queries";
import { LineEditor, newLine, validateLines, type LineDraft } from "./LineEditor";
import { pathOf, useDocument, useSaveDocument, type Document, type DocumentKind } from "./queries";
import { shortagesOf } from "./shortages";

export function DocumentFormPage({ kind }: { kind: DocumentKind }) {
  const { id } = useParams();
  const { t } = useTranslation();
  const { data, error } = useDocument(kind, id);
  if (id && error) return <ErrorAlert error={error} />;
  if (id && !data) return <Text c="dimmed">{t("common.loading")}</Text>;
  return <DocumentForm kind={kind} document={data} key={data?.id ?? "new"} />;
}

const HEADER_FIELDS = ["warehouse_id", "partner", "reference", "memo", "expected_at"] as const;
type HeaderField = (typeof HEADER_FIELDS)[number];

function DocumentForm({ kind, document }: { kind: DocumentKind; document?: Document }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const save = useSaveDocument(kind);
  const warehouses = useWarehouses();
  const [warehouseId, setWarehouseId] = useState<string | null>(document?.warehouse_id ?? null);
  const [partner, setPartner] = useState(document?.partner ?? "");
  const [reference, setReference] = useState(document?.reference ?? "");
  const [memo, setMemo] = useState(document?.memo ?? "");
  const [expectedAt, setExpectedAt] = useState<string | null>(
    document?.expected_at ? dayjs(document.expected_at).format("YYYY-MM-DD") : null,
  );
  const [lines, setLines] = useState<LineDraft[]>(() =>
    document
      ? document.lines.map((line) =>
          newLine({
            item: { id: line.item_id, sku: line.sku, name: line.item_name },
            quantity: toDecimalString(line.quantity),
            unitCost: line.unit_cost === null || line.unit_cost === undefined ? "" : toDecimalString(line.unit_cost),
          }),
        )
      : [newLine()],
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(null);

  // The MAIN warehouse exists from the first migration on: a sensible default for a new document.
  const defaultWarehouse = warehouseId ?? warehouses.data?.find((w) => w.code === "MAIN")?.id ?? null;
  const fieldError = (field: HeaderField) => errors[field];

  async function submit() {
    const found: Record<string, string> = validateLines(lines, t);
    if (!defaultWarehouse) found.warehouse_id = t("validation.required");
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) return;
    const body = {
      warehouse_id: defaultWarehouse!,
      partner: partner.trim() || null,
      reference: reference.trim() || null,
      memo: memo.trim() || null,
      expected_at: expectedAt ? dayjs(expectedAt).toISOString() : null,
      lines: lines.map((line) => ({
        item_id: line.item!.id,
        quantity: line.quantity.trim(),
        ...(kind === "inbound" && line.unitCost.trim() ? { unit_cost: line.unitCost.trim() } : {}),
      })),
    };
    try {
      const saved = await save.mutateAsync({ document, body });
      notifySaved(t, t(`documents.${kind}.saved`, { number: saved.number }));
      navigate(`${pathOf(kind)}/${saved.id}`);
    } catch (caught) {
      const serverErrors: Record<string, string> = {};
      if (isApiError(caught)) {
        for (const entry of caught.errors) serverErrors[entry.field] = translateProblem(entry, t);
      }
      setErrors(serverErrors);
      const placed = isApiError(caught) && caught.errors.length > 0 && caught.errors.every((e) => e.field.startsWith("lines") || (HEADER_FIELDS as readonly string[]).includes(e.field));
      if (!placed || Object.keys(shortagesOf(caught)).length) setProblem(caught);
    }
  }

  const title = document ? t("documents.editTitle", { number: document.number }) : t(`documents.${kind}.new`);

  return (
    <>
      <PageHeader title={title} />
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <ErrorAlert error={problem} />
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label={t("stock.warehouse")}
                required
                data={(warehouses.data ?? []).filter((w) => w.active || w.id === defaultWarehouse).map((w) => ({ value: w.id, label: `${w.code} — ${w.name}` }))}
                value={defaultWarehouse}
                onChange={setWarehouseId}
                allowDeselect={false}
                error={fieldError("warehouse_id")}
              />
              <TextInput label={t(`documents.${kind}.partner`)} value={partner} onChange={(e) => setPartner(e.currentTarget.value)} maxLength={200} error={fieldError("partner")} />
              <TextInput label={t("documents.reference")} value={reference} onChange={(e) => setReference(e.currentTarget.value)} maxLength={200} error={fieldError("reference")} />
              <DatePickerInput
                label={t("documents.expectedAt")}
                value={expectedAt}
                onChange={(value) => setExpectedAt(value)}
                clearable
                valueFormat="YYYY-MM-DD"
                error={fieldError("expected_at")}
              />
            </SimpleGrid>
            <Textarea label={t("documents.memo")} mt="sm" value={memo} onChange={(e) => setMemo(e.currentTarget.value)} autosize minRows={2} maxLength={5000} error={fieldError("memo")} />
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">
              {t("lines.title")}
            </Title>
            <LineEditor lines={lines} onChange={setLines} errors={errors} showUnitCost={kind === "inbound"} />
          </Card>
          <FormActions onCancel={() => navigate(document ? `${pathOf(kind)}/${document.id}` : pathOf(kind))} loading={save.isPending} submitLabel={document ? t("common.save") : t("documents.createDraft")} />
        </Stack>
      </form>
    </>
  );
}
