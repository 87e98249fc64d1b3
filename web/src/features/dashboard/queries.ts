import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { listDocuments, type DocumentKind, type DocumentStatus } from "../documents/queries";

// Until the dashboard endpoint lands, the home page is built from list endpoints: a list with
// limit=1 answers a count.

export function useCounts() {
  return useQuery({
    queryKey: ["dashboard", "counts"],
    queryFn: async () => {
      const count = (promise: Promise<{ count: number }>) => promise.then((page) => page.count);
      const [engines, items, lowStock] = await Promise.all([
        count(unwrap(api.GET("/api/v1/engines", { params: { query: { limit: 1 } } }))),
        count(unwrap(api.GET("/api/v1/items", { params: { query: { limit: 1, active: true } } }))),
        count(unwrap(api.GET("/api/v1/items", { params: { query: { limit: 1, low_stock: true } } }))),
      ]);
      return { engines, items, lowStock };
    },
  });
}

export const DASHBOARD_STATUSES: DocumentStatus[] = ["draft", "approved", "committed", "cancelled"];

/** How many inbounds and outbounds are in each status. */
export function useDocumentStatusCounts() {
  return useQuery({
    queryKey: ["documents", "status-counts"],
    queryFn: async () => {
      const kinds: DocumentKind[] = ["inbound", "outbound"];
      const entries = await Promise.all(
        DASHBOARD_STATUSES.flatMap((status) =>
          kinds.map(async (kind) => {
            const page = await listDocuments(kind, { page: 1, limit: 1, status });
            return { status, kind, count: page.count };
          }),
        ),
      );
      return DASHBOARD_STATUSES.map((status) => ({
        status,
        inbound: entries.find((e) => e.status === status && e.kind === "inbound")?.count ?? 0,
        outbound: entries.find((e) => e.status === status && e.kind === "outbound")?.count ?? 0,
      }));
    },
  });
}

export function useLowStockItems() {
  return useQuery({
    queryKey: ["items", "low-stock-top"],
    queryFn: () =>
      unwrap(api.GET("/api/v1/items", { params: { query: { low_stock: true, limit: 8, sort: "available" } } })),
  });
}

export function useWaitingApproval(kind: DocumentKind) {
  return useQuery({
    queryKey: ["documents", kind, "waiting"],
    queryFn: () => listDocuments(kind, { page: 1, limit: 5, status: "draft", sort: "created_at" }),
  });
}

export function useRecentFlows() {
  return useQuery({
    queryKey: ["flows", "recent"],
    queryFn: () => unwrap(api.GET("/api/v1/flows", { params: { query: { limit: 10, sort: "-created_at" } } })),
  });
}
