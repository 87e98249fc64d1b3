import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ifMatch, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type DocumentKind = "inbound" | "outbound";
export type Document = Schemas["DocumentRead"];
export type DocumentSummary = Schemas["DocumentSummary"];
export type DocumentStatus = Document["status"];
export type DocumentCreate = Schemas["DocumentCreate"];
export type DocumentUpdate = Schemas["DocumentUpdate"];
export type DocumentAction = "approve" | "commit" | "reopen" | "cancel" | "reverse";

export const STATUSES: DocumentStatus[] = ["draft", "approved", "committed", "cancelled"];
export const ACTION_ORDER: DocumentAction[] = ["approve", "commit", "reopen", "reverse", "cancel"];

export const pathOf = (kind: DocumentKind) => `/${kind}s`;

export interface DocumentListQuery {
  page: number;
  limit: number;
  sort?: string;
  q?: string;
  status?: DocumentStatus;
  warehouse_id?: string;
  item_id?: string;
  from?: string;
  to?: string;
}

export function listDocuments(kind: DocumentKind, query: DocumentListQuery) {
  return kind === "inbound"
    ? unwrap(api.GET("/api/v1/inbounds", { params: { query } }))
    : unwrap(api.GET("/api/v1/outbounds", { params: { query } }));
}

/** The list's sort and filters as the API names them: the table and its export share them. */
export function documentFilters(state: ListState) {
  return {
    sort: state.sort,
    q: state.q || undefined,
    status: (state.filters.status as DocumentStatus) || undefined,
    warehouse_id: state.filters.warehouse_id || undefined,
  };
}

export const exportPathOf = (kind: DocumentKind) =>
  kind === "inbound" ? ("/api/v1/inbounds/export" as const) : ("/api/v1/outbounds/export" as const);

export function useDocumentList(kind: DocumentKind, state: ListState) {
  const query: DocumentListQuery = { page: state.page, limit: state.limit, ...documentFilters(state) };
  return useQuery({
    queryKey: ["documents", kind, "list", query],
    queryFn: () => listDocuments(kind, query),
    placeholderData: keepPreviousData,
  });
}

export function getDocument(kind: DocumentKind, id: string) {
  const params = { path: { document_id: id } };
  return kind === "inbound"
    ? unwrap(api.GET("/api/v1/inbounds/{document_id}", { params }))
    : unwrap(api.GET("/api/v1/outbounds/{document_id}", { params }));
}

export function useDocument(kind: DocumentKind, id: string | undefined) {
  return useQuery({
    queryKey: ["documents", kind, "one", id],
    queryFn: () => getDocument(kind, id!),
    enabled: !!id,
  });
}

function useInvalidateDocuments() {
  const client = useQueryClient();
  return () => {
    for (const key of ["documents", "stocks", "stock-moves", "items", "flows"]) {
      void client.invalidateQueries({ queryKey: [key] });
    }
  };
}

export function useSaveDocument(kind: DocumentKind) {
  const invalidate = useInvalidateDocuments();
  return useMutation({
    mutationFn: ({ document, body }: { document?: Document; body: DocumentCreate }): Promise<Document> => {
      if (document) {
        const options = {
          params: { path: { document_id: document.id }, header: ifMatch(document.version) },
          body: body as DocumentUpdate,
        };
        return kind === "inbound"
          ? unwrap(api.PATCH("/api/v1/inbounds/{document_id}", options))
          : unwrap(api.PATCH("/api/v1/outbounds/{document_id}", options));
      }
      return kind === "inbound"
        ? unwrap(api.POST("/api/v1/inbounds", { body }))
        : unwrap(api.POST("/api/v1/outbounds", { body }));
    },
    onSuccess: invalidate,
  });
}

/** Run a workflow action; `reverse` answers with the new opposite document. */
export function useDocumentAction(kind: DocumentKind) {
  const invalidate = useInvalidateDocuments();
  return useMutation({
    mutationFn: ({ document, action, reason }: { document: Document; action: DocumentAction; reason?: string }) => {
      const params = { path: { document_id: document.id }, header: ifMatch(document.version) };
      // Every action path has the same shape; the literal type picks one for the checker.
      const path = `/api/v1/${kind}s/{document_id}/${action}` as "/api/v1/inbounds/{document_id}/cancel";
      const body = action === "cancel" || action === "reverse" ? { reason: reason ?? null } : undefined;
      return unwrap(api.POST(path, { params, body: body as Schemas["CancelBody"] }));
    },
    onSuccess: invalidate,
  });
}
