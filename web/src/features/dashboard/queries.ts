import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { listDocuments, type DocumentKind } from "../documents/queries";

export type Dashboard = Schemas["Dashboard"];

/** Counts, stock value, the 30-day series, top shipped items and recent flows in one call. */
export function useDashboard() {
  return useQuery({
    queryKey: ["dashboard"],
    queryFn: () => unwrap(api.GET("/api/v1/dashboard")),
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
