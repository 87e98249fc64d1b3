import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type Alert = Schemas["AlertRead"];
export type AlertStatus = Alert["status"];

/** The status tab in the URL: open alerts unless another tab was chosen. */
export function statusTab(state: ListState): AlertStatus | "all" {
  const value = state.filters.status;
  return value === "closed" || value === "all" ? value : "open";
}

export function useAlertList(state: ListState) {
  const tab = statusTab(state);
  const query = {
    page: state.page,
    limit: state.limit,
    sort: state.sort,
    status: tab === "all" ? undefined : tab,
    acknowledged: state.filters.acknowledged === "true" ? true : state.filters.acknowledged === "false" ? false : undefined,
  };
  return useQuery({
    queryKey: ["alerts", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/alerts", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useAcknowledgeAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (alert: Alert) =>
      unwrap(api.POST("/api/v1/alerts/{alert_id}/acknowledge", { params: { path: { alert_id: alert.id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["alerts"] });
      void client.invalidateQueries({ queryKey: ["dashboard"] });
    },
  });
}
