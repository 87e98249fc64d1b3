import { screen, within } from "@testing-library/react";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { DashboardPage } from "./DashboardPage";

const PAGE = { data: [], count: 0, page: 1, limit: 5 };
const days = Array.from({ length: 30 }, (_, n) => `2026-11-${String(n + 1).padStart(2, "0")}`);

function dashboard(overrides: Record<string, unknown> = {}) {
  return {
    counts: { engines: 3, items: 212, warehouses: 2, low_stock: 4, open_alerts: 3, inbound: { draft: 5, approved: 1 }, outbound: { draft: 2, approved: 0 } },
    stock_value: 83833000.5,
    currency: "KRW",
    series: {
      days,
      inbound: days.map((_, n) => (n === 29 ? 1285.5 : n === 3 ? 0.25 : 0)),
      outbound: days.map((_, n) => (n === 29 ? 68 : 0)),
    },
    top_outbound_items: [{ item_id: "i1", sku: "KBD-KEYCAP", name: "PBT 키캡 세트", quantity: 10 }],
    recent_flows: [
      { id: "f1", entity_type: "inbound", entity_id: "d1", entity_number: "IN-000042", action: "committed", from_status: "approved", to_status: "committed", actor_id: null, actor_name: "Kim", note: null, created_at: "2026-11-30T09:30:00Z" },
    ],
    ...overrides,
  };
}

function serve(body: ReturnType<typeof dashboard>) {
  return mockFetch((_, url) => {
    if (url.pathname === "/api/v1/dashboard") return json(body);
    if (url.pathname === "/api/v1/items" || url.pathname === "/api/v1/inbounds" || url.pathname === "/api/v1/outbounds") return json(PAGE);
  });
}

describe("the dashboard", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows the stock value in the server's currency and the counts, with links", async () => {
    serve(dashboard({ currency: "USD", stock_value: 1234567.5 }));
    renderWithProviders(<DashboardPage />);
    expect((await screen.findByText("$1,234,567.50")).closest("a")).toHaveTextContent("Stock value");
    expect(screen.getByText("Open alerts").closest("a")).toHaveAttribute("href", "/alerts?status=open");
    expect(screen.getByText("Inbounds waiting approval").closest("a")).toHaveTextContent("5");
    expect(screen.getByText("Items").closest("a")).toHaveTextContent("212");
  });

  it("sums the 30-day series exactly and formats it for Korean", async () => {
    serve(dashboard());
    renderWithProviders(<DashboardPage />, { language: "ko" });
    expect(await screen.findByText("입고 합계 1,285.75, 출고 합계 68")).toBeInTheDocument();
    expect(screen.getByText("₩83,833,000.5").closest("a")).toHaveTextContent("재고 금액");
    const top = screen.getByRole("heading", { name: "최근 30일 출고 상위 품목" }).closest("div.mantine-Card-root") as HTMLElement;
    expect(within(top).getByRole("link", { name: "KBD-KEYCAP" })).toHaveAttribute("href", "/items/i1");
    expect(screen.getByRole("link", { name: "IN-000042" })).toHaveAttribute("href", "/inbounds/d1");
    expect(screen.getByText("확정")).toBeInTheDocument();
  });

  it("says so when nothing moved in 30 days", async () => {
    serve(dashboard({ series: { days, inbound: days.map(() => 0), outbound: days.map(() => 0) }, top_outbound_items: [] }));
    renderWithProviders(<DashboardPage />);
    expect(await screen.findByText("No stock came in or went out in the last 30 days.")).toBeInTheDocument();
    expect(screen.getByText("Nothing was shipped in the last 30 days.")).toBeInTheDocument();
  });
});
