import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { ApiKeysPage } from "./ApiKeysPage";
import { keyStatus } from "./queries";

const KEY = {
  id: "k1",
  name: "Nightly export",
  role: "viewer" as const,
  prefix: "erp_Zm9vYmFy",
  expires_at: null,
  created_by: null,
  created_at: "2026-11-20T09:30:00Z",
  revoked_at: null,
};
const SECRET = "erp_Zm9vYmFyYmF6cXV4LXNlY3JldC1zaG93bi1vbmNl";

describe("the API keys screen", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows a new key's secret once, with a copy button and a warning", async () => {
    const { calls } = mockFetch((request, url) => {
      if (url.pathname === "/api/v1/api-keys" && request.method === "POST") {
        return json({ ...KEY, id: "k2", name: "Scanner sync", role: "staff", prefix: SECRET.slice(0, 12), secret: SECRET }, 201);
      }
      if (url.pathname === "/api/v1/api-keys") return json({ data: [KEY], count: 1, page: 1, limit: 25 });
    });
    const user = userEvent.setup();
    renderWithProviders(<ApiKeysPage />, { route: "/api-keys" });

    await user.click(await screen.findByRole("button", { name: "New API key" }));
    const form = await screen.findByRole("dialog", { name: "New API key" });
    await user.type(within(form).getByLabelText(/^Name/), "Scanner sync");
    await user.click(within(form).getByRole("textbox", { name: /^Role/ }));
    await user.click(await screen.findByRole("option", { name: "Staff" }));
    await user.click(within(form).getByRole("button", { name: "Create key" }));

    const dialog = await screen.findByRole("dialog", { name: "API key Scanner sync created" });
    expect(within(dialog).getByLabelText("Secret key")).toHaveValue(SECRET);
    expect(dialog).toHaveTextContent("It will not be shown again");
    await user.click(within(dialog).getByRole("button", { name: "Copy key" }));
    // user-event stands in for the system clipboard.
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(await within(dialog).findByRole("button", { name: "Copied" })).toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "I have stored the key" }));
    await waitFor(() => expect(screen.queryByDisplayValue(SECRET)).toBeNull());
    const post = calls.find((call) => call.method === "POST")!;
    expect(post.body).toEqual({ name: "Scanner sync", role: "staff", expires_at: null });
  });

  it("revokes a key after asking, in Korean", async () => {
    const { calls } = mockFetch((request, url) => {
      if (request.method === "DELETE") return new Response(null, { status: 204 });
      if (url.pathname === "/api/v1/api-keys") return json({ data: [KEY], count: 1, page: 1, limit: 25 });
    });
    const user = userEvent.setup();
    renderWithProviders(<ApiKeysPage />, { route: "/api-keys", language: "ko" });

    await user.click(await screen.findByRole("button", { name: "Nightly export 키 폐기" }));
    const dialog = await screen.findByRole("dialog", { name: "Nightly export 키를 폐기할까요?" });
    expect(calls.some((call) => call.method === "DELETE")).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "폐기" }));

    expect(await screen.findByText("Nightly export 키를 폐기했습니다.")).toBeInTheDocument();
    expect(calls.find((call) => call.method === "DELETE")!.url.pathname).toBe("/api/v1/api-keys/k1");
  });

  it("calls a key past its expiry expired, and a revoked one revoked", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    expect(keyStatus({ ...KEY, expires_at: "2026-11-30T00:00:00Z" }, now)).toBe("expired");
    expect(keyStatus({ ...KEY, expires_at: "2027-01-01T00:00:00Z" }, now)).toBe("active");
    expect(keyStatus({ ...KEY, revoked_at: "2026-11-21T00:00:00Z" }, now)).toBe("revoked");
  });
});
