import { Select, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { searchItems } from "./queries";

export interface ItemOption {
  id: string;
  sku: string;
  name: string;
}

export function itemLabel(item: ItemOption): string {
  return `${item.sku} · ${item.name}`;
}

interface ItemPickerProps {
  value: ItemOption | null;
  onChange: (item: ItemOption | null) => void;
  label?: string;
  "aria-label"?: string;
  error?: string;
  required?: boolean;
  w?: SelectProps["w"];
}

/** Finds items by sku, name or barcode on the server as you type (a scanned code works too). */
export function ItemPicker({ value, onChange, label, error, required, w, ...rest }: ItemPickerProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState(value ? itemLabel(value) : "");
  const [debounced] = useDebouncedValue(search, 250);
  const term = value && debounced === itemLabel(value) ? "" : debounced.trim();
  const { data, isFetching } = useQuery({
    queryKey: ["items", "search", term],
    queryFn: () => searchItems(term),
    staleTime: 15_000,
  });

  const options = useMemo(() => {
    const found = new Map<string, ItemOption>();
    if (value) found.set(value.id, value);
    for (const item of data?.data ?? []) found.set(item.id, { id: item.id, sku: item.sku, name: item.name });
    return found;
  }, [data, value]);

  return (
    <Select
      label={label}
      aria-label={rest["aria-label"]}
      placeholder={t("lines.searchItem")}
      searchable
      clearable
      required={required}
      w={w}
      value={value?.id ?? null}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id) => onChange(id ? (options.get(id) ?? null) : null)}
      data={[...options.values()].map((item) => ({ value: item.id, label: itemLabel(item) }))}
      filter={({ options: all }) => all}
      selectFirstOptionOnChange
      nothingFoundMessage={isFetching ? t("common.loading") : t("common.noResults")}
      error={error}
      comboboxProps={{ withinPortal: true }}
      maxDropdownHeight={280}
    />
  );
}
