import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ifMatch, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type Item = Schemas["ItemRead"];
export type ItemCreate = Schemas["ItemCreate"];
export type ItemUpdate = Schemas["ItemUpdate"];

function flag(value: string | undefined): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

/** The list's sort and filters as the API names them: the table and its export share them. */
export function itemFilters(state: ListState) {
  return {
    sort: state.sort,
    q: state.q || undefined,
    engine_id: state.filters.engine_id || undefined,
    active: flag(state.filters.active),
    low_stock: flag(state.filters.low_stock),
  };
}

export function useItemList(state: ListState) {
  const query = { page: state.page, limit: state.limit, ...itemFilters(state) };
  return useQuery({
    queryKey: ["items", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/items", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useItem(id: string | undefined) {
  return useQuery({
    queryKey: ["items", "one", id],
    queryFn: () => unwrap(api.GET("/api/v1/items/{item_id}", { params: { path: { item_id: id! } } })),
    enabled: !!id,
  });
}

export function useItemStock(id: string | undefined) {
  return useQuery({
    queryKey: ["stocks", "item", id],
    queryFn: () => unwrap(api.GET("/api/v1/stocks/{item_id}", { params: { path: { item_id: id! } } })),
    enabled: !!id,
  });
}

/** Items matching what a person typed or a scanner sent (sku, name or barcode). */
export function searchItems(q: string) {
  return unwrap(
    api.GET("/api/v1/items", { params: { query: { q: q || undefined, active: true, limit: 20, sort: "sku" } } }),
  );
}

export function findByBarcode(barcode: string) {
  return unwrap(api.GET("/api/v1/items", { params: { query: { barcode, limit: 2 } } }));
}

export function useSaveItem() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ item, body }: { item?: Item; body: ItemCreate }) =>
      item
        ? unwrap(
            api.PATCH("/api/v1/items/{item_id}", {
              params: { path: { item_id: item.id }, header: ifMatch(item.version) },
              body: body as ItemUpdate,
            }),
          )
        : unwrap(api.POST("/api/v1/items", { body })),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["items"] });
      client.invalidateQueries({ queryKey: ["engines"] });
    },
  });
}
