import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ifMatch, unwrap, type Schemas } from "../../api/client";
import { hasRole, useUser, type User } from "../../app/auth";
import type { ListState } from "../../lib/useListParams";

export type { User };
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];

export function useUserList(state: ListState) {
  const query = {
    page: state.page,
    limit: state.limit,
    sort: state.sort,
    q: state.q || undefined,
    role: (state.filters.role as User["role"]) || undefined,
    active: state.filters.active === "true" ? true : state.filters.active === "false" ? false : undefined,
  };
  return useQuery({
    queryKey: ["users", "list", query],
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

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

export function useSaveUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ user, body }: { user?: User; body: UserCreate | UserUpdate }) =>
      user
        ? unwrap(
            api.PATCH("/api/v1/users/{user_id}", {
              params: { path: { user_id: user.id }, header: ifMatch(user.version) },
              body: body as UserUpdate,
            }),
          )
        : unwrap(api.POST("/api/v1/users", { body: body as UserCreate })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ user, password }: { user: User; password: string }) =>
      unwrap(
        api.POST("/api/v1/users/{user_id}/password", {
          params: { path: { user_id: user.id } },
          body: { new_password: password },
        }),
      ),
  });
}
