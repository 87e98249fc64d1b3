import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError, api, unwrap } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { DocumentDetailPage } from "./DocumentDetailPage";
import { shortagesOf } from "./shortages";

const DOC_ID = "33333333-3333-3333-3333-333333333333";
const WAREHOUSE = { id: "44444444-4444-4444-4444-444444444444", code: "MAIN", name: "Main warehouse", address: null, active: true, created_at: "2026-11-01T00:00:00Z", updated_at: "2026-11-01T00:00:00Z", version: 1 };

const outbound = {
  id: DOC_ID,
  number: "OUT-000009",
  status: "draft",
  warehouse_id: WAREHOUSE.id,
  partner: "서울컴퓨터",
  reference: null,
  memo: null,
  expected_at: null,
  line_count: 2,
  total_quantity: 8,
  created_by: null,
  created_at: "2026-11-20T09:30:00Z",
  approved_by: null,
  approved_at: null,
  committed_by: null,
  committed_at: null,
  cancelled_by: null,
  cancelled_at: null,
  cancel_reason: null,
  reverses_id: null,
  reversed_by_id: null,
  updated_at: "2026-11-20T09:30:00Z",
  version: 1,
  allowed_actions: ["update", "approve", "cancel"],
  lines: [
    { id: "l1", item_id: "i1", sku: "LCD-24-FHD", item_name: "24인치 FHD 모니터", quantity: 3, unit_cost: null },
    { id: "l2", item_id: "i2", sku: "KBD-MECH-RED", item_name: "기계식 키보드", quantity: 5, unit_cost: null },
  ],
  history: [
    { id: "f1", entity_type: "outbound", entity_id: DOC_ID, entity_number: "OUT-000009", action: "created", from_status: null, to_status: "draft", actor_id: null, actor_name: "Kim", note: null, created_at: "2026-11-20T09:30:00Z" },
  ],
};

const shortage = {
  type: "https://erp-engine.dev/problems/insufficient-stock",
  title: "Insufficient stock",
  status: 409,
  detail: "1 line(s) lack available stock.",
  code: "insufficient_stock",
  errors: [{ field: "lines[1].quantity", code: "only_available", message: "Only 2 available, 5 requested.", params: { available: "2", requested: "5" }, item_id: "i2", warehouse_id: WAREHOUSE.id, requested: 5, available: 2 }],
};

describe("problem+json errors", () => {
  it("become an ApiError with the code and field errors", async () => {
    mockFetch(() =>
      json({ type: "x", title: "Validation failed", status: 422, detail: "See errors.", code: "validation_error", errors: [{ field: "sku", code: "taken", message: "Already taken.", params: {} }] }, 422),
    );
    const error = await unwrap(api.GET("/api/v1/items", {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: "validation_error" });
    expect((error as ApiError).fieldErrors()).toEqual({ sku: "Already taken." });
  });

  it("show a translated message and the fields they concern", () => {
    const error = new ApiError(422, { code: "validation_error", detail: "x", errors: [{ field: "lines[0].quantity", code: "greater_than", message: "Input should be greater than 0", params: { gt: 0 } }] });
    renderWithProviders(<ErrorAlert error={error} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Some values are not valid.");
    expect(alert).toHaveTextContent("Quantity, line 1: Must be greater than 0.");
  });

  it("are translated into Korean", () => {
    renderWithProviders(<ErrorAlert error={new ApiError(412, { code: "precondition_failed" })} />, { language: "ko" });
    expect(screen.getByRole("alert")).toHaveTextContent("다른 사용자가 먼저 변경했습니다");
  });

  it("name the short lines of insufficient_stock by index", () => {
    expect(shortagesOf(new ApiError(409, shortage))).toEqual({ 1: { requested: 5, available: 2 } });
    expect(shortagesOf(new ApiError(409, { code: "conflict" }))).toEqual({});
  });
});

describe("approving an outbound without enough stock", () => {
  it("highlights the short line with requested and available", async () => {
    const { calls } = mockFetch((request, url) => {
      if (url.pathname === `/api/v1/outbounds/${DOC_ID}` && request.method === "GET") return json(outbound);
      if (url.pathname === `/api/v1/outbounds/${DOC_ID}/approve`) return json(shortage, 409);
      if (url.pathname === "/api/v1/warehouses") return json({ data: [WAREHOUSE], count: 1, page: 1, limit: 200 });
    });
    const user = userEvent.setup();
    renderWithProviders(<DocumentDetailPage kind="outbound" />, { route: `/outbounds/${DOC_ID}`, path: "/outbounds/:id" });

    await user.click(await screen.findByRole("button", { name: "Approve" }));
    const dialog = await screen.findByRole("dialog", { name: "Approve OUT-000009?" });
    await user.click(within(dialog).getByRole("button", { name: "Approve" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not enough stock available for some lines.");
    expect(alert).toHaveTextContent("Line 2 (KBD-MECH-RED): requested 5, available 2");
    const shortRows = document.querySelectorAll("tr[data-short]");
    expect(shortRows).toHaveLength(1);
    expect(shortRows[0]).toHaveTextContent("KBD-MECH-RED");
    expect(shortRows[0]).toHaveTextContent("Requested 5, available 2");

    const approve = calls.find((call) => call.url.pathname.endsWith("/approve"))!;
    expect(approve.method).toBe("POST");
  });
});
