import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { StockDocumentPage } from "../stock/StockDocumentPage";
import { ItemDetailPage } from "./ItemDetailPage";

const ITEM_ID = "11111111-1111-4111-8111-111111111111";
const MAIN = { id: "44444444-4444-4444-4444-444444444444", code: "MAIN", name: "Main", address: null, active: true, created_at: "2026-11-01T00:00:00Z", updated_at: "2026-11-01T00:00:00Z", version: 1 };
const BUSAN = { ...MAIN, id: "55555555-5555-4555-8555-555555555555", code: "BUSAN", name: "Busan" };
const ITEM = {
  id: ITEM_ID,
  sku: "LCD-24-FHD",
  name: "24인치 FHD 모니터",
  engine_id: null,
  unit: "EA",
  barcode: null,
  unit_cost: 150000,
  reorder_point: 5,
  active: true,
  on_hand: 7,
  reserved: 0,
  available: 7,
  low_stock: false,
  created_at: "2026-11-01T00:00:00Z",
  updated_at: "2026-11-20T00:00:00Z",
  version: 3,
};
const DOCUMENTS = [
  ["inbound", "IN-000001", "d1000000-0000-4000-8000-000000000001", 10],
  ["outbound", "OUT-000002", "d2000000-0000-4000-8000-000000000002", -4],
  ["adjustment", "ADJ-000003", "d3000000-0000-4000-8000-000000000003", 1],
  ["transfer", "TRF-000004", "d4000000-0000-4000-8000-000000000004", -2],
  ["reconciliation", "REC-000005", "d5000000-0000-4000-8000-000000000005", 2],
] as const;
const MOVES = DOCUMENTS.map(([type, number, id, quantity], index) => ({
  id: `m${index}`,
  item_id: ITEM_ID,
  sku: ITEM.sku,
  item_name: ITEM.name,
  warehouse_id: MAIN.id,
  quantity,
  balance_after: 7,
  reason: type === "reconciliation" ? "adjustment" : type,
  document_type: type,
  document_id: id,
  document_number: number,
  actor_id: null,
  created_at: `2026-11-2${index}T09:00:00Z`,
}));
const ADJUSTMENT = {
  id: DOCUMENTS[2][2],
  number: "ADJ-000003",
  warehouse_id: MAIN.id,
  reason: "Yearly count",
  created_by: null,
  created_at: "2026-11-22T09:00:00Z",
  lines: [{ item_id: ITEM_ID, sku: ITEM.sku, item_name: ITEM.name, counted_quantity: 7, previous_quantity: 6, difference: 1 }],
};
const TRANSFER = {
  id: DOCUMENTS[3][2],
  number: "TRF-000004",
  from_warehouse_id: MAIN.id,
  to_warehouse_id: BUSAN.id,
  memo: null,
  created_by: null,
  created_at: "2026-11-23T09:00:00Z",
  lines: [{ item_id: ITEM_ID, sku: ITEM.sku, item_name: ITEM.name, quantity: 2 }],
};

function serve() {
  return mockFetch((_, url) => {
    const page = (data: unknown[]) => json({ data, count: data.length, page: 1, limit: 200 });
    switch (url.pathname) {
      case `/api/v1/items/${ITEM_ID}`:
        return json(ITEM);
      case `/api/v1/stocks/${ITEM_ID}`:
        return json({ item_id: ITEM_ID, sku: ITEM.sku, on_hand: 7, reserved: 0, available: 7, warehouses: [] });
      case "/api/v1/engines":
        return page([]);
      case "/api/v1/warehouses":
        return page([MAIN, BUSAN]);
      case "/api/v1/stock-moves":
        return page(MOVES);
      case `/api/v1/stock-adjustments/${ADJUSTMENT.id}`:
        return json(ADJUSTMENT);
      case `/api/v1/transfers/${TRANSFER.id}`:
        return json(TRANSFER);
    }
  });
}

function renderItem() {
  return renderWithProviders(
    <Routes>
      <Route path="/items/:id" element={<ItemDetailPage />} />
      <Route path="/stock/adjustments/:id" element={<StockDocumentPage kind="adjustment" />} />
      <Route path="/stock/transfers/:id" element={<StockDocumentPage kind="transfer" />} />
    </Routes>,
    { route: `/items/${ITEM_ID}` },
  );
}

describe("the item's recent moves", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("link each document number to that document's page", async () => {
    const { calls } = serve();
    renderItem();

    const moves = await screen.findByRole("table", { name: "Recent stock moves" });
    await within(moves).findByText("IN-000001");
    expect(calls.find((c) => c.url.pathname === "/api/v1/stock-moves")!.url.searchParams.get("item_id")).toBe(ITEM_ID);
    const expected = {
      "IN-000001": `/inbounds/${DOCUMENTS[0][2]}`,
      "OUT-000002": `/outbounds/${DOCUMENTS[1][2]}`,
      "ADJ-000003": `/stock/adjustments/${DOCUMENTS[2][2]}`,
      "TRF-000004": `/stock/transfers/${DOCUMENTS[3][2]}`,
    };
    for (const [number, href] of Object.entries(expected)) {
      expect(within(moves).getByRole("link", { name: number })).toHaveAttribute("href", href);
    }
    // A kind of document the UI has no page for stays plain text.
    expect(within(moves).getByText("REC-000005")).toBeInTheDocument();
    expect(within(moves).queryByRole("link", { name: "REC-000005" })).not.toBeInTheDocument();
  });

  it("open an adjustment and a transfer with their lines", async () => {
    serve();
    const user = userEvent.setup();
    renderItem();

    const moves = await screen.findByRole("table", { name: "Recent stock moves" });
    await user.click(await within(moves).findByRole("link", { name: "ADJ-000003" }));
    expect(await screen.findByRole("heading", { name: "ADJ-000003", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("Stock adjustment in MAIN")).toBeInTheDocument();
    expect(screen.getByText("Yearly count")).toBeInTheDocument();
    const lines = screen.getByRole("table", { name: "Lines" });
    const line = within(lines).getByRole("link", { name: ITEM.sku }).closest("tr")!;
    expect(within(line).getAllByRole("cell").map((cell) => cell.textContent)).toEqual([ITEM.sku, ITEM.name, "6", "7", "+1"]);

    await user.click(within(lines).getByRole("link", { name: ITEM.sku }));
    const back = await screen.findByRole("table", { name: "Recent stock moves" });
    await user.click(await within(back).findByRole("link", { name: "TRF-000004" }));
    expect(await screen.findByRole("heading", { name: "TRF-000004", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("Transfer from MAIN to BUSAN")).toBeInTheDocument();
    const cells = within(screen.getByRole("table", { name: "Lines" })).getAllByRole("cell");
    expect(cells.map((cell) => cell.textContent)).toEqual([ITEM.sku, ITEM.name, "2"]);
  });
});
