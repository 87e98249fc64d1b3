import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type AuditEntry = Schemas["AuditRead"];

/** Entity types the audit trail names (documents by their kind). */
export const AUDIT_ENTITY_TYPES = [
  "engine",
  "item",
  "warehouse",
  "inbound",
  "outbound",
  "document_line",
  "adjustment",
  "transfer",
  "user",
  "api_key",
  "webhook",
  "alert",
] as const;

/** Actions the server writes besides `<entity>.created|updated|deleted`. */
const EVENTS = ["auth.login", "auth.login_failed", "auth.logout", "auth.refresh", "auth.forbidden", "items.imported"];

export const KNOWN_ACTIONS = [
  ...EVENTS,
  ...AUDIT_ENTITY_TYPES.flatMap((type) => [`${type}.created`, `${type}.updated`, `${type}.deleted`]),
];

export function useAuditLog(state: ListState) {
  const query = {
    page: state.page,
    limit: state.limit,
    sort: state.sort,
    actor_id: state.filters.actor_id || undefined,
    entity_type: state.filters.entity_type || undefined,
    entity_id: state.filters.entity_id || undefined,
    action: state.filters.action || undefined,
    from: state.filters.from || undefined,
    to: state.filters.to || undefined,
  };
  return useQuery({
    queryKey: ["audit", query],
    queryFn: () => unwrap(api.GET("/api/v1/audit", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}
