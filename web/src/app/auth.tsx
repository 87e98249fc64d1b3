import { Center, Loader } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { api, login, logout, refreshSession, session, unwrap, type Schemas } from "../api/client";
import { ForbiddenPage } from "./NotFoundPage";

export type User = Schemas["UserRead"];
export type Role = User["role"];
type Status = "loading" | "signedIn" | "signedOut";

const RANK: Record<Role, number> = { viewer: 0, staff: 1, manager: 2, admin: 3 };

export function hasRole(user: User | null, role: Role): boolean {
  return !!user && RANK[user.role] >= RANK[role];
}

interface AuthValue {
  user: User | null;
  status: Status;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

// Exported for tests, which render a screen as a given user without a session.
export const AuthContext = createContext<AuthValue | null>(null);

function fetchMe() {
  return unwrap(api.GET("/api/v1/auth/me"));
}

// Restoring a session spends the stored refresh token (it rotates): do it once per page load,
// even when React mounts the provider twice.
let restoring: Promise<User | null> | null = null;
function restoreSession(): Promise<User | null> {
  restoring ??= (async () => {
    if (!(await refreshSession())) return null;
    try {
      return await fetchMe();
    } catch {
      return null;
    }
  })();
  return restoring;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<Status>(() => (session.hasRefreshToken() ? "loading" : "signedOut"));

  useEffect(() => {
    if (status !== "loading") return;
    let live = true;
    restoreSession().then((restored) => {
      if (!live) return;
      setUser(restored);
      setStatus(restored ? "signedIn" : "signedOut");
    });
    return () => {
      live = false;
    };
  }, [status]);

  useEffect(
    () =>
      session.subscribe((signedIn) => {
        if (!signedIn) {
          setUser(null);
          setStatus("signedOut");
          queryClient.clear();
        }
      }),
    [queryClient],
  );

  const signIn = useCallback(async (email: string, password: string) => {
    await login(email, password);
    const me = await fetchMe();
    restoring = Promise.resolve(me);
    setUser(me);
    setStatus("signedIn");
  }, []);

  const signOut = useCallback(async () => {
    restoring = null;
    await logout();
    setUser(null);
    setStatus("signedOut");
    queryClient.clear();
  }, [queryClient]);

  const value = useMemo(() => ({ user, status, signIn, signOut }), [user, status, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in user; only used below RequireAuth. */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error("useUser without a signed-in user");
  return user;
}

export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "loading") {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (status === "signedOut") {
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`} replace />;
  }
  return <Outlet />;
}

/** Screens for `role` and above; below it, a page that says so. */
export function RequireRole({ role }: { role: Role }) {
  return hasRole(useUser(), role) ? <Outlet /> : <ForbiddenPage role={role} />;
}
