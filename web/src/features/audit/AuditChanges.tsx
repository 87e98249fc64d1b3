import { Code, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { AuditEntry } from "./queries";

const SECRET = "***";

/** `{field: [before, after]}` as rows; other shapes (a refused request's details) as values. */
export function changeRows(changes: AuditEntry["changes"]): Array<{ field: string; before: unknown; after: unknown }> {
  return Object.entries(changes ?? {}).map(([field, value]) =>
    Array.isArray(value) && value.length === 2
      ? { field, before: value[0], after: value[1] }
      : { field, before: undefined, after: value },
  );
}

function Value({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined || value === "") return <Text span c="dimmed">—</Text>;
  if (value === SECRET) return <Text span c="dimmed">{t("audit.hidden")}</Text>;
  if (typeof value === "boolean") return <>{value ? t("common.yes") : t("common.no")}</>;
  if (typeof value === "object") return <Code>{JSON.stringify(value)}</Code>;
  return <>{String(value)}</>;
}

/** The fields an audit entry changed, before and after. */
export function AuditChanges({ changes }: { changes: AuditEntry["changes"] }) {
  const { t } = useTranslation();
  const rows = changeRows(changes);
  if (rows.length === 0) return <Text size="sm" c="dimmed">{t("audit.noChanges")}</Text>;
  return (
    <Table striped withTableBorder fz="sm" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="30%">{t("audit.field")}</Table.Th>
          <Table.Th>{t("audit.before")}</Table.Th>
          <Table.Th>{t("audit.after")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.field}>
            <Table.Td>
              <Code>{row.field}</Code>
            </Table.Td>
            <Table.Td style={{ overflowWrap: "anywhere" }}>
              <Value value={row.before} />
            </Table.Td>
            <Table.Td style={{ overflowWrap: "anywhere" }}>
              <Value value={row.after} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
