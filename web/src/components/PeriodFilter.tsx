import { DatePickerInput } from "@mantine/dates";
import dayjs from "dayjs";
import type { ListParams } from "../lib/useListParams";

const DAY = "YYYY-MM-DD";

/** A day range kept in the URL as `from` (start of the first day) and `to` (end of the last). */
export function PeriodFilter({ list, label }: { list: ListParams; label: string }) {
  const { from, to } = list.filters;
  return (
    <DatePickerInput
      type="range"
      label={label}
      clearable
      valueFormat={DAY}
      value={[from ? dayjs(from).format(DAY) : null, to ? dayjs(to).format(DAY) : null]}
      onChange={([start, end]) =>
        list.update({
          from: start ? dayjs(start).startOf("day").toISOString() : null,
          to: end ? dayjs(end).endOf("day").toISOString() : null,
        })
      }
      w={{ base: "100%", sm: 250 }}
    />
  );
}
