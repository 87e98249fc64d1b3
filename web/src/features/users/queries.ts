import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { hasRole, useUser, type User } from "../../app/auth";

export type { User };

/**
 * A readable name for a user id (alerts and the audit log carry only ids): every user's for an
 * admin, who may list them; only one's own for anyone else.
 */
export function useUserName(): (id: string | null | undefined) => string | undefined {
  const me = useUser();
  const { data } = useQuery({
    queryKey: ["users", "all"],
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query: { limit: 200, sort: "name" } } })),
    enabled: hasRole(me, "admin"),
    staleTime: 60_000,
    select: (page) => page.data,
  });
  return (id) => (id ? (id === me.id ? me.name : data?.find((user) => user.id === id)?.name) : undefined);
}
