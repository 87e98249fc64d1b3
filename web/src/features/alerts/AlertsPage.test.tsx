import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ADMIN, json, mockFetch, renderWithProviders } from "../../test/render";
import { AlertsPage } from "./AlertsPage";

const OPEN = {
  id: "a1",
  item_id: "i1",
  sku: "LCD-24-FHD",
  item_name: "24인치 FHD 모니터",
  status: "open",
  available: 2,
  reorder_point: 5,
  opened_at: "2026-11-20T09:30:00Z",
  closed_at: null,
  acknowledged_by: null,
  acknowledged_by_name: null,
  acknowledged_at: null,
  version: 1,
};
// Acknowledged by someone the caller cannot look up: the alert itself carries the name.
const SEEN = {
  ...OPEN,
  id: "a2",
  sku: "KBD-MECH-RED",
  item_id: "i2",
  acknowledged_by: "00000000-0000-4000-8000-00000000000b",
  acknowledged_by_name: "Lee Staff",
  acknowledged_at: "2026-11-21T08:00:00Z",
};
const BY_ADMIN = { acknowledged_by: ADMIN.id, acknowledged_by_name: ADMIN.name, acknowledged_at: "2026-11-22T10:00:00Z" };

function page(data: unknown[]) {
  return json({ data, count: data.length, page: 1, limit: 25 });
}

describe("the alerts screen", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists open alerts and acknowledges one", async () => {
    let acknowledged = false;
    const { calls } = mockFetch((request, url) => {
      if (url.pathname === "/api/v1/alerts/a1/acknowledge" && request.method === "POST") {
        acknowledged = true;
        return json({ ...OPEN, ...BY_ADMIN });
      }
      if (url.pathname === "/api/v1/alerts") {
        return page([acknowledged ? { ...OPEN, ...BY_ADMIN } : OPEN, SEEN]);
      }
    });
    const user = userEvent.setup();
    renderWithProviders(<AlertsPage />, { route: "/alerts" });

    const row = (await screen.findByRole("link", { name: "LCD-24-FHD" })).closest("tr")!;
    expect(within(row).getByText("Not acknowledged")).toBeInTheDocument();
    const seen = screen.getByRole("link", { name: "KBD-MECH-RED" }).closest("tr")!;
    expect(seen).toHaveTextContent("Lee Staff");
    expect(within(seen).queryByRole("button")).toBeNull();
    expect(calls.find((call) => call.url.pathname === "/api/v1/alerts")!.url.searchParams.get("status")).toBe("open");

    await user.click(within(row).getByRole("button", { name: "Acknowledge the alert for LCD-24-FHD" }));
    expect(await screen.findByText("Alert for LCD-24-FHD acknowledged.")).toBeInTheDocument();
    expect(await within(row).findByText(/^Kim Admin, /)).toBeInTheDocument();
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(1);
  });

  it("offers no acknowledge button to a viewer, and filters closed ones in Korean", async () => {
    const { calls } = mockFetch((_, url) => (url.pathname === "/api/v1/alerts" ? page([OPEN, SEEN]) : undefined));
    const user = userEvent.setup();
    renderWithProviders(<AlertsPage />, { route: "/alerts", language: "ko", user: { ...ADMIN, role: "viewer" } });

    expect(await screen.findByRole("link", { name: "LCD-24-FHD" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /확인 처리/ })).toBeNull();
    expect(screen.getByRole("link", { name: "KBD-MECH-RED" }).closest("tr")!).toHaveTextContent("Lee Staff");
    await user.click(screen.getByRole("radio", { name: "닫힘" }));
    expect(calls.at(-1)!.url.searchParams.get("status")).toBe("closed");
    expect(calls.some((call) => call.url.pathname === "/api/v1/users")).toBe(false);
  });
});
