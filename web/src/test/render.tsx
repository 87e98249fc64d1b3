import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { cssVariablesResolver, theme } from "../app/theme";
import { setupI18n, type Language } from "../lib/i18n";

/** Render inside the app's real providers (theme, query cache, i18n, router). */
export function renderWithProviders(
  ui: ReactElement,
  { route = "/", path = "*", language = "en" }: { route?: string; path?: string; language?: Language } = {},
) {
  const i18n = setupI18n({ language });
  void i18n.changeLanguage(language);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} env="test">
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={ui} />
          </Routes>
        </MemoryRouter>
      </MantineProvider>
    </QueryClientProvider>,
  );
}

type Handler = (request: Request, url: URL) => Response | Promise<Response> | undefined;

/** A fetch stand-in that answers by method and path, and records what the UI asked. */
export function mockFetch(handler: Handler) {
  const calls: Array<{ method: string; url: URL; body: unknown }> = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.clone().text();
    calls.push({ method: request.method, url, body: text ? JSON.parse(text) : undefined });
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
