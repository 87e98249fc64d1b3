import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";

export type Warehouse = Schemas["WarehouseRead"];

/** Every warehouse (a short list), for pickers and for showing codes next to ids. */
export function useWarehouses() {
  return useQuery({
    queryKey: ["warehouses", "all"],
    queryFn: () => unwrap(api.GET("/api/v1/warehouses", { params: { query: { limit: 200, sort: "code" } } })),
    staleTime: 60_000,
    select: (page) => page.data,
  });
}

export function useWarehouseLookup(): (id: string | null | undefined) => Warehouse | undefined {
  const { data } = useWarehouses();
  return (id) => data?.find((warehouse) => warehouse.id === id);
}
