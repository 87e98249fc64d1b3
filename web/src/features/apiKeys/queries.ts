import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type ApiKey = Schemas["ApiKeyRead"];
export type CreatedApiKey = Schemas["ApiKeyCreated"];
export type KeyStatus = "active" | "revoked" | "expired";

/** Whether a key still works: revoked and expired ones do not. */
export function keyStatus(key: ApiKey, now: Date = new Date()): KeyStatus {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && new Date(key.expires_at) <= now) return "expired";
  return "active";
}

export function useApiKeyList(state: ListState) {
  const show = state.filters.show;
  const query = {
    page: state.page,
    limit: state.limit,
    sort: state.sort,
    active: show === "revoked" ? false : show === "all" ? undefined : true,
  };
  return useQuery({
    queryKey: ["api-keys", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/api-keys", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ApiKeyCreate"]) => unwrap(api.POST("/api/v1/api-keys", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: ApiKey) => unwrap(api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: key.id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}
