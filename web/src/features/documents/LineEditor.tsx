import { ActionIcon, Box, Button, Group, ScrollArea, Table, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { QuantityInput } from "../../components/QuantityInput";
import { quantityProblem, sumQuantities } from "../../lib/decimal";
import { formatQuantity } from "../../lib/format";
import { ItemPicker, type ItemOption } from "../items/ItemPicker";

export interface LineDraft {
  key: string;
  item: ItemOption | null;
  quantity: string;
  unitCost: string;
}

let nextKey = 0;
export function newLine(partial: Partial<LineDraft> = {}): LineDraft {
  nextKey += 1;
  return { key: `line-${nextKey}`, item: null, quantity: "", unitCost: "", ...partial };
}

const MONEY = /^\d{1,11}(\.\d{1,4})?$/;

/**
 * Client-side checks before anything is sent: an item on each line, each item once, and a
 * decimal quantity with at most 3 places (> 0 unless zero is allowed, as in a stock count).
 * Keys follow the server's error paths (`lines[0].quantity`), so both land in the same place.
 */
export function validateLines(
  lines: LineDraft[],
  t: TFunction,
  { allowZero = false, quantityField = "quantity" }: { allowZero?: boolean; quantityField?: string } = {},
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (lines.length === 0) errors.lines = t("lines.atLeastOne");
  const seen = new Map<string, number>();
  lines.forEach((line, index) => {
    if (!line.item) errors[`lines[${index}].item_id`] = t("lines.itemRequired");
    else if (seen.has(line.item.id)) errors[`lines[${index}].item_id`] = t("lines.duplicate", { line: (seen.get(line.item.id) ?? 0) + 1 });
    else seen.set(line.item.id, index);
    const problem = quantityProblem(line.quantity, { allowZero });
    if (problem) errors[`lines[${index}].${quantityField}`] = t(`validation.quantity.${problem}`);
    if (line.unitCost.trim() && !MONEY.test(line.unitCost.trim())) errors[`lines[${index}].unit_cost`] = t("validation.money");
  });
  return errors;
}

export interface Shortage {
  requested: number | string;
  available: number | string;
}

interface LineEditorProps {
  lines: LineDraft[];
  onChange: (lines: LineDraft[]) => void;
  errors?: Record<string, string>;
  shortages?: Record<number, Shortage>;
  showUnitCost?: boolean;
  quantityLabel?: string;
  quantityField?: string;
}

/** Edits document lines: item search, exact decimal quantities, optional unit cost. */
export function LineEditor({
  lines,
  onChange,
  errors = {},
  shortages = {},
  showUnitCost = false,
  quantityLabel,
  quantityField = "quantity",
}: LineEditorProps) {
  const { t, i18n } = useTranslation();
  const qtyLabel = quantityLabel ?? t("lines.quantity");
  const update = (index: number, change: Partial<LineDraft>) =>
    onChange(lines.map((line, i) => (i === index ? { ...line, ...change } : line)));
  const total = sumQuantities(lines.map((line) => line.quantity));

  return (
    <Box>
      <ScrollArea type="auto" offsetScrollbars>
        <Table miw={showUnitCost ? 640 : 520} verticalSpacing="xs" aria-label={t("lines.title")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>#</Table.Th>
              <Table.Th>{t("lines.item")}</Table.Th>
              <Table.Th w={150}>{qtyLabel}</Table.Th>
              {showUnitCost ? <Table.Th w={150}>{t("lines.unitCost")}</Table.Th> : null}
              <Table.Th w={48}>
                <span style={{ position: "absolute", left: -10000 }}>{t("common.actions")}</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((line, index) => {
              const shortage = shortages[index];
              const number = index + 1;
              return (
                <Table.Tr
                  key={line.key}
                  data-short={shortage ? "true" : undefined}
                  style={shortage ? { background: "var(--mantine-color-red-0)" } : undefined}
                >
                  <Table.Td style={{ verticalAlign: "top", paddingTop: 14 }}>{number}</Table.Td>
                  <Table.Td style={{ verticalAlign: "top" }}>
                    <ItemPicker
                      aria-label={t("lines.itemOfLine", { line: number })}
                      value={line.item}
                      onChange={(item) => update(index, { item })}
                      error={errors[`lines[${index}].item_id`]}
                    />
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: "top" }}>
                    <QuantityInput
                      aria-label={t("lines.quantityOfLine", { line: number, label: qtyLabel })}
                      value={line.quantity}
                      onChange={(quantity) => update(index, { quantity })}
                      error={
                        errors[`lines[${index}].${quantityField}`] ??
                        (shortage
                          ? t("lines.short", {
                              requested: formatQuantity(shortage.requested, i18n.language),
                              available: formatQuantity(shortage.available, i18n.language),
                            })
                          : undefined)
                      }
                    />
                  </Table.Td>
                  {showUnitCost ? (
                    <Table.Td style={{ verticalAlign: "top" }}>
                      <TextInput
                        aria-label={t("lines.unitCostOfLine", { line: number })}
                        inputMode="decimal"
                        value={line.unitCost}
                        onChange={(event) => update(index, { unitCost: event.currentTarget.value.trim() })}
                        error={errors[`lines[${index}].unit_cost`]}
                        styles={{ input: { textAlign: "right" } }}
                      />
                    </Table.Td>
                  ) : null}
                  <Table.Td style={{ verticalAlign: "top" }}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mt={4}
                      onClick={() => onChange(lines.filter((_, i) => i !== index))}
                      aria-label={t("lines.remove", { line: number })}
                      disabled={lines.length === 1}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {errors.lines ? (
        <Text c="red.8" size="sm" role="alert">
          {errors.lines}
        </Text>
      ) : null}
      <Group justify="space-between" mt="xs">
        <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => onChange([...lines, newLine()])} disabled={lines.length >= 500}>
          {t("lines.add")}
        </Button>
        <Text size="sm" c="dimmed" data-testid="lines-total">
          {t("lines.total", { lines: lines.length, total: formatQuantity(total, i18n.language) })}
        </Text>
      </Group>
    </Box>
  );
}
