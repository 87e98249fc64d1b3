import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { RequireRole } from "../../app/auth";
import { ADMIN, json, mockFetch, renderWithProviders } from "../../test/render";
import { AuditPage } from "./AuditPage";

const ITEM_ID = "45e7e79e-0ef3-4830-b9ca-e066754b38a4";
const UPDATED = {
  id: "e1",
  created_at: "2026-11-20T09:30:00Z",
  actor_id: ADMIN.id,
  actor_type: "user",
  actor_name: ADMIN.name,
  action: "item.updated",
  entity_type: "item",
  entity_id: ITEM_ID,
  changes: { unit_cost: ["1003.0000", "1000.0000"], name: ["Old", "New"], active: [true, false], barcode: [null, "880"] },
  ip: "127.0.0.1",
  user_agent: "Mozilla/5.0",
  request_id: "0a12",
};
const RESET = {
  ...UPDATED,
  id: "e2",
  action: "user.updated",
  entity_type: "user",
  entity_id: ADMIN.id,
  changes: { password_hash: ["***", "***"] },
  actor_type: "api_key",
  actor_id: "9b5268df-3dc2-459e-a918-95bdde7efbb3",
  actor_name: null,
};

function serve(rows: unknown[]) {
  return mockFetch((_, url) => {
    if (url.pathname === "/api/v1/audit") return json({ data: rows, count: rows.length, page: 1, limit: 50 });
    if (url.pathname === "/api/v1/users") return json({ data: [ADMIN], count: 1, page: 1, limit: 200 });
  });
}

describe("the audit log", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows who did what, and the changes before and after in the details", async () => {
    serve([UPDATED, RESET]);
    const user = userEvent.setup();
    renderWithProviders(<AuditPage />, { route: "/audit" });

    const table = await screen.findByRole("table", { name: "Audit log" });
    const row = (await within(table).findByText("item.updated")).closest("tr")!;
    expect(row).toHaveTextContent("Kim Admin");
    expect(row).toHaveTextContent("Updated");
    expect(row).toHaveTextContent("unit_cost, name, active +1 more");
    expect(within(table).getByText("user.updated").closest("tr")).toHaveTextContent("API key 9b5268df");

    await user.click(within(row).getByRole("button", { name: /^Details of item\.updated/ }));
    const dialog = await screen.findByRole("dialog", { name: "Audit entry" });
    const cost = within(dialog).getByText("unit_cost").closest("tr")!;
    expect(cost).toHaveTextContent("1003.0000");
    expect(cost).toHaveTextContent("1000.0000");
    expect(within(dialog).getByText("active").closest("tr")).toHaveTextContent("YesNo");
    expect(within(dialog).getByText("barcode").closest("tr")).toHaveTextContent("—880");
    expect(dialog).toHaveTextContent("Mozilla/5.0");
  });

  it("hides secrets and narrows to one entity's history", async () => {
    const { calls } = serve([RESET]);
    const user = userEvent.setup();
    renderWithProviders(<AuditPage />, { route: "/audit", language: "ko" });

    const table = await screen.findByRole("table", { name: "감사 로그" });
    const row = (await within(table).findByText("user.updated")).closest("tr")!;
    expect(row).toHaveTextContent("사용자");
    expect(row).toHaveTextContent("수정");
    await user.click(within(row).getByRole("button", { name: /자세히 보기$/ }));
    expect(await screen.findByRole("dialog", { name: "감사 기록" })).toHaveTextContent("(숨김)(숨김)");
    await user.keyboard("{Escape}");

    await user.click(within(row).getByRole("button", { name: "이 대상의 기록만 보기: 00000000" }));
    expect(await screen.findByText("대상 00000000")).toBeInTheDocument();
    expect(calls.at(-1)!.url.searchParams.get("entity_id")).toBe(ADMIN.id);
  });

  it("names the actors to a manager, who may not list users", async () => {
    const MANAGER = { ...ADMIN, id: "00000000-0000-4000-8000-00000000000b", name: "Lee Manager", role: "manager" as const };
    const byStaff = { ...UPDATED, id: "e3", actor_id: "6f1c2a9e-5b7d-4c3a-9e8f-0a1b2c3d4e5f", actor_name: "Park Staff" };
    const byKey = { ...RESET, id: "e4", actor_name: "Shelf robot" };
    const { calls } = serve([byStaff, byKey]);
    renderWithProviders(<AuditPage />, { route: "/audit", user: MANAGER });

    const table = await screen.findByRole("table", { name: "Audit log" });
    expect((await within(table).findByText("item.updated")).closest("tr")).toHaveTextContent("Park Staff");
    expect(within(table).getByText("user.updated").closest("tr")).toHaveTextContent("API key Shelf robot");
    expect(within(table).queryByText(/^6f1c2a9e/)).not.toBeInTheDocument();
    expect(calls.map((call) => call.url.pathname)).not.toContain("/api/v1/users");
  });

  it("is refused below the manager role", () => {
    renderWithProviders(<RequireRole role="manager" />, { user: { ...ADMIN, role: "staff" } });
    expect(screen.getByRole("heading", { name: "Not available for your role" })).toBeInTheDocument();
    expect(screen.getByText("This screen needs the Manager role or higher.")).toBeInTheDocument();
  });
});
