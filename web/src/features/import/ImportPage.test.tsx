import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { ImportPage } from "./ImportPage";

// What the server answers for tests/fixtures/spreadsheets/items_bad_row.xlsx.
const BAD_ROW = [
  { row: 4, column: "Name", cell: "B4", field: "name", code: "required", message: "Required: a name (1-200 characters).", params: {} },
  {
    row: 4,
    column: "Unit cost",
    cell: "C4",
    field: "unit_cost",
    code: "negative",
    message: "Expected a number >= 0 with at most 4 decimal places and 11 integer digits, got a negative number (-5).",
    params: { places: 4, digits: 11, got: "-5" },
  },
  {
    row: 4,
    column: "Reorder point",
    cell: "D4",
    field: "reorder_point",
    code: "number_expected",
    message: "Expected a number >= 0 with at most 3 decimal places and 12 integer digits, got 'many'.",
    params: { places: 3, digits: 12, got: "'many'" },
  },
];

function workbook(name = "items.xlsx") {
  return new File(["PK fake workbook"], name, { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
}

async function choose(file: File) {
  const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
  await userEvent.upload(input, file);
}

describe("the import screen", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists a dry run's row problems in Korean and offers no import", async () => {
    const { calls } = mockFetch((request, url) =>
      url.pathname === "/api/v1/items/import" && request.method === "POST"
        ? json({ dry_run: true, created: 4, updated: 0, unchanged: 0, errors: BAD_ROW })
        : undefined,
    );
    const user = userEvent.setup();
    renderWithProviders(<ImportPage />, { route: "/import", language: "ko" });

    await choose(workbook());
    await user.click(screen.getByRole("button", { name: "파일 검사" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("파일에 문제가 3건 있습니다");
    const table = screen.getByRole("table", { name: "파일에 문제가 3건 있습니다" });
    const name = within(table).getByText("B4").closest("tr")!;
    expect(name).toHaveTextContent("4");
    expect(name).toHaveTextContent("Name");
    expect(name).toHaveTextContent("필수: 품목명(1–200자)을 입력하세요.");
    expect(within(table).getByText("D4").closest("tr")).toHaveTextContent("'many' 값이 있습니다.");
    expect(table.textContent).not.toMatch(/Expected|Required/);
    expect(screen.queryByRole("button", { name: "가져오기" })).toBeNull();

    const sent = calls.find((call) => call.method === "POST")!.body as Record<string, unknown>;
    expect(sent.dry_run).toBe("true");
    expect(sent.mode).toBe("create");
    // jsdom's FormData reaches fetch without the file's name; its bytes arrive.
    expect(await (sent.file as Blob).text()).toBe("PK fake workbook");
  });

  it("imports after a clean dry run, and a changed option asks for a new check", async () => {
    const { calls } = mockFetch((request, url) => {
      if (url.pathname !== "/api/v1/items/import" || request.method !== "POST") return undefined;
      return json({ dry_run: calls.filter((call) => call.method === "POST").length < 3, created: 2, updated: 1, unchanged: 0, errors: [] });
    });
    const user = userEvent.setup();
    renderWithProviders(<ImportPage />, { route: "/import" });

    await choose(workbook());
    await user.click(screen.getByRole("radio", { name: "Update the existing item" }));
    await user.click(screen.getByRole("button", { name: "Check file" }));
    expect(await screen.findByText("The file is ready to import")).toBeInTheDocument();
    expect(screen.getByTestId("import-created")).toHaveTextContent("2");
    expect(screen.getByTestId("import-updated")).toHaveTextContent("1");

    await user.click(screen.getByRole("radio", { name: "Report it as a problem (new items only)" }));
    expect(screen.queryByRole("button", { name: "Import" })).toBeNull();
    await user.click(screen.getByRole("radio", { name: "Update the existing item" }));
    await user.click(screen.getByRole("button", { name: "Check file" }));
    await user.click(await screen.findByRole("button", { name: "Import" }));

    expect(await screen.findByText("Import finished: 2 created, 1 updated.")).toBeInTheDocument();
    const posts = calls.filter((call) => call.method === "POST").map((call) => call.body as Record<string, unknown>);
    expect(posts.map((body) => [body.dry_run, body.mode])).toEqual([
      ["true", "upsert"],
      ["true", "upsert"],
      ["false", "upsert"],
    ]);
  });

  it("says why a file cannot be read, and sends opening stock with its reason", async () => {
    const { calls } = mockFetch((request, url) =>
      url.pathname === "/api/v1/stock-adjustments/import" && request.method === "POST"
        ? json({ type: "x", title: "x", status: 422, code: "validation_error", detail: "The file is empty.", errors: [{ field: "file", row: null, column: null, cell: null, code: "file_empty", message: "The file is empty.", params: {} }] }, 422)
        : undefined,
    );
    const user = userEvent.setup();
    renderWithProviders(<ImportPage />, { route: "/import?kind=stock", language: "ko" });

    await choose(workbook("재고.csv"));
    await user.click(screen.getByRole("button", { name: "파일 검사" }));
    const table = await screen.findByRole("table", { name: "파일에 문제가 1건 있습니다" });
    expect(within(table).getByRole("row", { name: /빈 파일입니다/ })).toHaveTextContent("파일");
    await waitFor(() => expect(calls.some((call) => call.method === "POST")).toBe(true));
    const sent = calls.find((call) => call.method === "POST")!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ dry_run: "true", reason: "기초 재고 가져오기" });
    expect(sent).not.toHaveProperty("mode");
  });
});
