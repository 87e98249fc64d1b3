import {
  Alert,
  Box,
  Group,
  LoadingOverlay,
  Pagination,
  ScrollArea,
  Select,
  Table,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconArrowsSort } from "@tabler/icons-react";
import type { CSSProperties, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../lib/errors";
import { formatCount } from "../lib/format";
import { PAGE_SIZES, type ListParams } from "../lib/useListParams";
import { EmptyState } from "./EmptyState";

export interface Column<T> {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  /** The API's sort field, when the column can be sorted on the server. */
  sortKey?: string;
  align?: "left" | "right" | "center";
  width?: number | string;
}

interface DataTableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  count?: number;
  page?: number;
  limit?: number;
  sort?: string;
  loading?: boolean;
  error?: unknown;
  emptyMessage?: ReactNode;
  onSortChange?: (sort: string | undefined) => void;
  onPageChange?: (page: number) => void;
  onLimitChange?: (limit: number) => void;
  rowStyle?: (row: T) => CSSProperties | undefined;
}

interface PageQuery<T> {
  data?: { data: T[]; count: number };
  isFetching: boolean;
  error: unknown;
}

/** A server-side list's DataTable props: its page of rows, and paging and sorting kept in the URL. */
export function serverTableProps<T>(list: ListParams, query: PageQuery<T>) {
  return {
    rows: query.data?.data,
    count: query.data?.count,
    loading: query.isFetching,
    error: query.error,
    page: list.page,
    limit: list.limit,
    sort: list.sort,
    onSortChange: (sort: string | undefined) => list.update({ sort: sort ?? "" }),
    onPageChange: (page: number) => list.update({ page }),
    onLimitChange: (limit: number) => list.update({ limit }),
  };
}

function nextSort(current: string | undefined, key: string): string | undefined {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return undefined;
  return key;
}

/** The shared server-side table: the server sorts, filters and pages; the URL remembers. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  count,
  page = 1,
  limit = 25,
  sort,
  loading = false,
  error,
  emptyMessage,
  onSortChange,
  onPageChange,
  onLimitChange,
  rowStyle,
}: DataTableProps<T>) {
  const { t, i18n } = useTranslation();
  const message = useErrorMessage();
  const language = i18n.language;
  const total = count ?? rows?.length ?? 0;
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);

  return (
    <Box>
      {error ? (
        <Alert color="red" variant="light" mb="sm" role="alert">
          {message(error)}
        </Alert>
      ) : null}
      <Box pos="relative">
        <LoadingOverlay visible={loading && !!rows} zIndex={5} overlayProps={{ blur: 1 }} />
        <ScrollArea type="auto" offsetScrollbars>
          <Table striped highlightOnHover verticalSpacing="xs" miw={600} stickyHeader>
            <caption>
              <VisuallyHidden>{caption}</VisuallyHidden>
            </caption>
            <Table.Thead>
              <Table.Tr>
                {columns.map((column) => {
                  const active = sort === column.sortKey || sort === `-${column.sortKey}`;
                  const descending = sort === `-${column.sortKey}`;
                  return (
                    <Table.Th
                      key={column.key}
                      style={{ textAlign: column.align ?? "left", width: column.width, whiteSpace: "nowrap" }}
                      aria-sort={column.sortKey ? (active ? (descending ? "descending" : "ascending") : "none") : undefined}
                    >
                      {column.sortKey && onSortChange ? (
                        <UnstyledButton
                          onClick={() => onSortChange(nextSort(sort, column.sortKey!))}
                          style={{ fontWeight: 700, fontSize: "inherit" }}
                        >
                          <Group gap={4} wrap="nowrap" justify={column.align === "right" ? "flex-end" : "flex-start"}>
                            {column.header}
                            {active ? (
                              descending ? (
                                <IconArrowDown size={14} aria-hidden />
                              ) : (
                                <IconArrowUp size={14} aria-hidden />
                              )
                            ) : (
                              <IconArrowsSort size={14} aria-hidden opacity={0.4} />
                            )}
                          </Group>
                        </UnstyledButton>
                      ) : (
                        column.header
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(rows ?? []).map((row) => (
                <Table.Tr key={rowKey(row)} style={rowStyle?.(row)}>
                  {columns.map((column) => (
                    <Table.Td
                      key={column.key}
                      style={{
                        textAlign: column.align ?? "left",
                        fontVariantNumeric: column.align === "right" ? "tabular-nums" : undefined,
                      }}
                    >
                      {column.render(row)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {!rows && loading ? (
          <Text c="dimmed" py="lg" ta="center">
            {t("common.loading")}
          </Text>
        ) : null}
        {rows && rows.length === 0 ? <EmptyState message={emptyMessage ?? t("common.noResults")} /> : null}
      </Box>
      {onPageChange ? (
        <Group justify="space-between" mt="sm" wrap="wrap" gap="xs">
          <Text size="sm" c="dimmed" aria-live="polite">
            {t("table.range", {
              first: formatCount(first, language),
              last: formatCount(last, language),
              total: formatCount(total, language),
            })}
          </Text>
          <Group gap="sm" wrap="wrap">
            {onLimitChange ? (
              <Select
                aria-label={t("table.pageSize")}
                data={PAGE_SIZES.map((size) => ({ value: String(size), label: t("table.perPage", { size }) }))}
                value={String(limit)}
                onChange={(value) => value && onLimitChange(Number(value))}
                allowDeselect={false}
                w={130}
                size="xs"
              />
            ) : null}
            <Pagination
              total={pages}
              value={Math.min(page, pages)}
              onChange={onPageChange}
              size="sm"
              siblings={1}
              getControlProps={(control) => ({
                "aria-label":
                  control === "previous" ? t("table.previous") : control === "next" ? t("table.next") : undefined,
              })}
              getItemProps={(p) => ({ "aria-label": t("table.page", { page: p }) })}
            />
          </Group>
        </Group>
      ) : null}
    </Box>
  );
}
