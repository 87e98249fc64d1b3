import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ifMatch, unwrap, type Schemas } from "../../api/client";
import type { ListState } from "../../lib/useListParams";

export type Engine = Schemas["EngineRead"];
export type EngineCreate = Schemas["EngineCreate"];
export type EngineUpdate = Schemas["EngineUpdate"];

export function useEngineList(state: ListState) {
  const query = {
    page: state.page,
    limit: state.limit,
    sort: state.sort,
    q: state.q || undefined,
    status: (state.filters.status as Engine["status"]) || undefined,
  };
  return useQuery({
    queryKey: ["engines", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/engines", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** All engines (a short list) for pickers and names. */
export function useAllEngines() {
  return useQuery({
    queryKey: ["engines", "all"],
    queryFn: () => unwrap(api.GET("/api/v1/engines", { params: { query: { limit: 200, sort: "code" } } })),
    staleTime: 30_000,
    select: (page) => page.data,
  });
}

export function useSaveEngine() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ engine, body }: { engine?: Engine; body: EngineCreate }) =>
      engine
        ? unwrap(
            api.PATCH("/api/v1/engines/{engine_id}", {
              params: { path: { engine_id: engine.id }, header: ifMatch(engine.version) },
              body: body as EngineUpdate,
            }),
          )
        : unwrap(api.POST("/api/v1/engines", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["engines"] }),
  });
}
