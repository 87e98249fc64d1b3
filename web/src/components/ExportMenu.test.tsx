import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { filenameOf, session } from "../api/client";
import { ItemsPage } from "../features/items/ItemsPage";
import { json, mockFetch, renderWithProviders } from "../test/render";
import { ExportMenu } from "./ExportMenu";

const PAGE = { data: [], count: 0, page: 1, limit: 25 };

function spreadsheet(filename: string): Response {
  return new Response("SKU,Name\r\nLCD-24-FHD,모니터\r\n", {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` },
  });
}

describe("the export menu", () => {
  let saved: HTMLAnchorElement[];
  beforeEach(() => {
    session.setPair({ access_token: "access-1", refresh_token: "refresh-1", expires_in: 900 });
    saved = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this);
    });
    URL.createObjectURL = vi.fn(() => "blob:export-1");
    URL.revokeObjectURL = vi.fn();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    session.clear();
  });

  it("fetches the file with the access token and saves it under the server's name", async () => {
    const { calls } = mockFetch((_, url) => (url.pathname === "/api/v1/stock-moves/export" ? spreadsheet("stock-moves-20261204-101500.csv") : undefined));
    const user = userEvent.setup();
    renderWithProviders(<ExportMenu path="/api/v1/stock-moves/export" query={{ reason: "inbound", sort: "-created_at" }} />);

    await user.click(screen.getByRole("button", { name: "Export" }));
    await user.click(await screen.findByRole("menuitem", { name: "CSV (.csv)" }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0].download).toBe("stock-moves-20261204-101500.csv");
    expect(saved[0].href).toBe("blob:export-1");
    const call = calls[0];
    expect(call.headers.get("Authorization")).toBe("Bearer access-1");
    expect(Object.fromEntries(call.url.searchParams)).toEqual({ reason: "inbound", sort: "-created_at", format: "csv" });
  });

  it("passes the table's filters from the URL, and says why a download failed", async () => {
    const { calls } = mockFetch((_, url) => {
      if (url.pathname === "/api/v1/items") return json(PAGE);
      if (url.pathname === "/api/v1/engines") return json(PAGE);
      if (url.pathname === "/api/v1/items/export") {
        return json({ title: "Not allowed", status: 403, code: "forbidden", detail: "This needs the viewer role or higher." }, 403);
      }
    });
    const user = userEvent.setup();
    renderWithProviders(<ItemsPage />, { route: "/items?q=LCD&low_stock=true&sort=-on_hand", language: "ko" });

    await user.click(screen.getByRole("button", { name: "내보내기" }));
    await user.click(await screen.findByRole("menuitem", { name: "Excel (.xlsx)" }));

    expect(await screen.findByText("현재 권한으로는 할 수 없습니다.")).toBeInTheDocument();
    const exported = calls.find((call) => call.url.pathname === "/api/v1/items/export")!;
    expect(Object.fromEntries(exported.url.searchParams)).toEqual({ q: "LCD", low_stock: "true", sort: "-on_hand", format: "xlsx" });
    expect(saved).toHaveLength(0);
  });
});

describe("filenameOf", () => {
  it("prefers the RFC 6266 extended name and falls back to the plain one", () => {
    expect(filenameOf(`attachment; filename="items.xlsx"; filename*=UTF-8''%ED%92%88%EB%AA%A9.xlsx`, "x")).toBe("품목.xlsx");
    expect(filenameOf('attachment; filename="items-import-template.csv"', "x")).toBe("items-import-template.csv");
    expect(filenameOf("attachment; filename=stocks.xlsx", "x")).toBe("stocks.xlsx");
    expect(filenameOf(null, "fallback.xlsx")).toBe("fallback.xlsx");
  });
});
