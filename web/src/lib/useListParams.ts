import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

export const PAGE_SIZES = [25, 50, 100, 200];

export interface ListState {
  page: number;
  limit: number;
  sort: string | undefined;
  q: string;
  filters: Record<string, string>;
}

type Change = Record<string, string | number | null | undefined>;

/** Table state (page, limit, sort, q and filters) kept in the URL, so a view is a link. */
export function useListParams(filterKeys: readonly string[], defaults: { sort?: string; limit?: number } = {}) {
  const [params, setParams] = useSearchParams();
  const keys = filterKeys.join(",");

  const state: ListState = useMemo(() => {
    const page = Math.max(1, Number.parseInt(params.get("page") ?? "", 10) || 1);
    const limitParam = Number.parseInt(params.get("limit") ?? "", 10);
    const limit = limitParam >= 1 && limitParam <= 200 ? limitParam : (defaults.limit ?? 25);
    const filters: Record<string, string> = {};
    for (const key of keys ? keys.split(",") : []) {
      const value = params.get(key);
      if (value) filters[key] = value;
    }
    return { page, limit, sort: params.get("sort") ?? defaults.sort, q: params.get("q") ?? "", filters };
  }, [params, keys, defaults.limit, defaults.sort]);

  const update = useCallback(
    (changes: Change) => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value === null || value === undefined || value === "") next.delete(key);
            else next.set(key, String(value));
          }
          if (!("page" in changes)) next.delete("page");
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  return { ...state, update };
}

export type ListParams = ReturnType<typeof useListParams>;
