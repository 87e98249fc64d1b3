import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { AuthContext, type User } from "../app/auth";
import { cssVariablesResolver, theme } from "../app/theme";
import { setupI18n, type Language } from "../lib/i18n";

export const ADMIN: User = {
  id: "00000000-0000-4000-8000-00000000000a",
  email: "admin@example.test",
  name: "Kim Admin",
  role: "admin",
  active: true,
  created_at: "2026-11-01T00:00:00Z",
  last_login_at: "2026-11-20T09:00:00Z",
  version: 1,
};

/** Render inside the app's real providers (theme, query cache, i18n, router), signed in as `user`. */
export function renderWithProviders(
  ui: ReactElement,
  {
    route = "/",
    path = "*",
    language = "en",
    user = ADMIN,
  }: { route?: string; path?: string; language?: Language; user?: User } = {},
) {
  const i18n = setupI18n({ language });
  void i18n.changeLanguage(language);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} env="test">
        <Notifications />
        <AuthContext.Provider value={{ user, status: "signedIn", signIn: async () => {}, signOut: async () => {} }}>
          <MemoryRouter initialEntries={[route]}>
            <Routes>
              <Route path={path} element={ui} />
            </Routes>
          </MemoryRouter>
        </AuthContext.Provider>
      </MantineProvider>
    </QueryClientProvider>,
  );
}

/** A request's body: JSON parsed, multipart as its fields, nothing for a GET. */
async function bodyOf(request: Request): Promise<unknown> {
  if (request.method === "GET") return undefined;
  const type = request.headers.get("Content-Type") ?? "";
  if (type.startsWith("multipart/form-data")) return Object.fromEntries(await request.clone().formData());
  const text = await request.clone().text();
  return text ? JSON.parse(text) : undefined;
}

type Handler = (request: Request, url: URL) => Response | Promise<Response> | undefined;

/** A fetch stand-in that answers by method and path, and records what the UI asked. */
export function mockFetch(handler: Handler) {
  const calls: Array<{ method: string; url: URL; headers: Headers; body: unknown }> = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    calls.push({ method: request.method, url, headers: request.headers, body: await bodyOf(request) });
    const response = await handler(request, url);
    return response ?? json({ type: "about:blank", title: "Not found", status: 404, code: "not_found" }, 404);
  });
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}
