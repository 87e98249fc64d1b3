import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type StockRow = Schemas["StockRow"];
export type StockMove = Schemas["StockMoveRead"];
export type AsOfRow = Schemas["StockAsOfRow"];
export type Adjustment = Schemas["AdjustmentRead"];
export type Transfer = Schemas["TransferRead"];
export type MoveReason = StockMove["reason"];

export const MOVE_REASONS: MoveReason[] = ["inbound", "outbound", "adjustment", "transfer"];

/** The list's sort and filters as the API names them: the table and its export share them. */
export function stockFilters(state: ListState) {
  return {
    sort: state.sort,
    q: state.q || undefined,
    warehouse_id: state.filters.warehouse_id || undefined,
    low_stock: state.filters.low_stock === "true" ? true : undefined,
  };
}

export function useStockList(state: ListState) {
  const query = { page: state.page, limit: state.limit, ...stockFilters(state) };
  return useQuery({
    queryKey: ["stocks", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/stocks", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useStockAsOf(state: ListState) {
  const at = state.filters.at;
  const query = {
    page: state.page,
    limit: state.limit,
    at: at ?? "",
    warehouse_id: state.filters.warehouse_id || undefined,
  };
  return useQuery({
    queryKey: ["stocks", "as-of", query],
    queryFn: () => unwrap(api.GET("/api/v1/stocks/as-of", { params: { query } })),
    enabled: !!at,
    placeholderData: keepPreviousData,
  });
}

/** The ledger's sort and filters as the API names them: the table and its export share them. */
export function moveFilters(state: ListState, fixed: { item_id?: string } = {}) {
  return {
    sort: state.sort,
    item_id: fixed.item_id ?? (state.filters.item_id || undefined),
    warehouse_id: state.filters.warehouse_id || undefined,
    reason: (state.filters.reason as MoveReason) || undefined,
    from: state.filters.from || undefined,
    to: state.filters.to || undefined,
  };
}

export function useMoves(state: ListState, fixed: { item_id?: string } = {}) {
  const query = { page: state.page, limit: state.limit, ...moveFilters(state, fixed) };
  return useQuery({
    queryKey: ["stock-moves", query],
    queryFn: () => unwrap(api.GET("/api/v1/stock-moves", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/**
 * Items by id, for rows that carry only `item_id` (the ledger): one cached request per item.
 */
export function useItemsById(ids: string[]) {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["items", "one", id],
      queryFn: () => unwrap(api.GET("/api/v1/items/{item_id}", { params: { path: { item_id: id } } })),
      staleTime: 60_000,
    })),
  });
  const map = new Map<string, Schemas["ItemRead"]>();
  results.forEach((result) => {
    if (result.data) map.set(result.data.id, result.data);
  });
  return map;
}

export function useAdjustments(state: ListState) {
  const query = { page: state.page, limit: state.limit, warehouse_id: state.filters.warehouse_id || undefined };
  return useQuery({
    queryKey: ["adjustments", query],
    queryFn: () => unwrap(api.GET("/api/v1/stock-adjustments", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useTransfers(state: ListState) {
  const query = { page: state.page, limit: state.limit, warehouse_id: state.filters.warehouse_id || undefined };
  return useQuery({
    queryKey: ["transfers", query],
    queryFn: () => unwrap(api.GET("/api/v1/transfers", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** One adjustment or transfer, for its own page (moves in the ledger link to it). */
export function useAdjustment(id: string | undefined) {
  return useQuery({
    queryKey: ["adjustments", "one", id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/stock-adjustments/{adjustment_id}", { params: { path: { adjustment_id: id! } } })),
    enabled: !!id,
  });
}

export function useTransfer(id: string | undefined) {
  return useQuery({
    queryKey: ["transfers", "one", id],
    queryFn: () => unwrap(api.GET("/api/v1/transfers/{transfer_id}", { params: { path: { transfer_id: id! } } })),
    enabled: !!id,
  });
}

function useInvalidateStock() {
  const client = useQueryClient();
  return () => {
    for (const key of ["stocks", "stock-moves", "items", "adjustments", "transfers", "flows"]) {
      void client.invalidateQueries({ queryKey: [key] });
    }
  };
}

export function useCreateAdjustment() {
  const invalidate = useInvalidateStock();
  return useMutation({
    mutationFn: (body: Schemas["AdjustmentCreate"]) => unwrap(api.POST("/api/v1/stock-adjustments", { body })),
    onSuccess: invalidate,
  });
}

export function useCreateTransfer() {
  const invalidate = useInvalidateStock();
  return useMutation({
    mutationFn: (body: Schemas["TransferCreate"]) => unwrap(api.POST("/api/v1/transfers", { body })),
    onSuccess: invalidate,
  });
}
