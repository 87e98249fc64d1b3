import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import i18n from "../../lib/i18n";
import { json, mockFetch, renderWithProviders } from "../../test/render";
import { LineEditor, newLine, validateLines, type LineDraft, type Shortage } from "./LineEditor";

const t = i18n.t.bind(i18n);
const KEYBOARD = { id: "11111111-1111-1111-1111-111111111111", sku: "KBD-MECH-RED", name: "기계식 키보드 (적축)" };
const MONITOR = { id: "22222222-2222-2222-2222-222222222222", sku: "LCD-24-FHD", name: "24인치 FHD 모니터" };

function Harness({ initial, shortages, onLines }: { initial: LineDraft[]; shortages?: Record<number, Shortage>; onLines?: (lines: LineDraft[]) => void }) {
  const [lines, setLines] = useState(initial);
  return (
    <LineEditor
      lines={lines}
      onChange={(next) => {
        setLines(next);
        onLines?.(next);
      }}
      shortages={shortages}
      errors={validateLines(lines, t)}
    />
  );
}

describe("validateLines", () => {
  beforeAll(() => renderWithProviders(<div />));

  it("asks for an item and a quantity on every line", () => {
    expect(validateLines([newLine()], t)).toEqual({
      "lines[0].item_id": "Pick an item.",
      "lines[0].quantity": "Enter a quantity.",
    });
  });

  it("accepts at most three decimal places and only positive quantities", () => {
    const check = (quantity: string) => validateLines([newLine({ item: KEYBOARD, quantity })], t)["lines[0].quantity"];
    expect(check("1.5")).toBeUndefined();
    expect(check("0.001")).toBeUndefined();
    expect(check("999999999999.999")).toBeUndefined();
    expect(check("1.2345")).toBe("At most 3 decimal places.");
    expect(check("0")).toBe("Must be greater than 0.");
    expect(check("-2")).toBe("Enter a number such as 12 or 1.5.");
    expect(check("1e3")).toBe("Enter a number such as 12 or 1.5.");
    expect(check("1234567890123")).toBe("At most 12 digits before the decimal point.");
  });

  it("lets a stock count be zero", () => {
    const lines = [newLine({ item: KEYBOARD, quantity: "0" })];
    expect(validateLines(lines, t, { allowZero: true, quantityField: "counted_quantity" })).toEqual({});
  });

  it("refuses the same item twice", () => {
    const lines = [newLine({ item: KEYBOARD, quantity: "1" }), newLine({ item: KEYBOARD, quantity: "2" })];
    expect(validateLines(lines, t)["lines[1].item_id"]).toBe("Already on line 1.");
  });
});

describe("LineEditor", () => {
  it("adds and removes lines and totals quantities exactly", async () => {
    mockFetch(() => json({ data: [], count: 0, page: 1, limit: 20 }));
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={[newLine({ item: KEYBOARD, quantity: "0.1" })]} />);

    expect(screen.getByRole("button", { name: "Remove line 1" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Add line" }));
    await user.type(screen.getByRole("textbox", { name: "Quantity, line 2" }), "0,2");
    expect(screen.getByRole("textbox", { name: "Quantity, line 2" })).toHaveValue("0.2");
    // 0.1 + 0.2 in binary floating point is 0.30000000000000004.
    expect(screen.getByTestId("lines-total")).toHaveTextContent("2 line(s), total 0.3");

    await user.click(screen.getByRole("button", { name: "Remove line 1" }));
    expect(screen.queryByRole("textbox", { name: "Quantity, line 2" })).not.toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Quantity, line 1" })).toHaveValue("0.2");
  });

  it("shows validation messages next to the field they concern", async () => {
    mockFetch(() => json({ data: [], count: 0, page: 1, limit: 20 }));
    renderWithProviders(<Harness initial={[newLine({ item: KEYBOARD, quantity: "2.5555" })]} />);
    const quantity = screen.getByRole("textbox", { name: "Quantity, line 1" });
    expect(quantity).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("At most 3 decimal places.")).toBeInTheDocument();
  });

  it("searches items on the server by what was typed and picks one", async () => {
    const { calls } = mockFetch((_request, url) => {
      if (url.pathname === "/api/v1/items") {
        const q = url.searchParams.get("q") ?? "";
        const data = [KEYBOARD, MONITOR].filter((item) => !q || item.sku.includes(q) || item.name.includes(q));
        return json({ data, count: data.length, page: 1, limit: 20 });
      }
    });
    const onLines = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={[newLine()]} onLines={onLines} />);

    await user.type(screen.getByRole("textbox", { name: "Item, line 1" }), "LCD");
    await waitFor(() => expect(screen.queryByRole("option", { name: /KBD-MECH-RED/ })).not.toBeInTheDocument());
    await user.click(await screen.findByRole("option", { name: "LCD-24-FHD · 24인치 FHD 모니터" }));
    await waitFor(() => expect(onLines).toHaveBeenLastCalledWith([expect.objectContaining({ item: MONITOR })]));
    const searched = calls.filter((call) => call.url.pathname === "/api/v1/items").map((call) => call.url.searchParams.get("q"));
    expect(searched).toContain("LCD");
  });

  it("marks a short line with what was requested and what is available", () => {
    mockFetch(() => json({ data: [], count: 0, page: 1, limit: 20 }));
    renderWithProviders(
      <Harness
        initial={[newLine({ item: KEYBOARD, quantity: "1" }), newLine({ item: MONITOR, quantity: "5" })]}
        shortages={{ 1: { requested: 5, available: 2 } }}
      />,
    );
    const rows = screen.getAllByRole("row");
    const shortRow = rows.find((row) => row.getAttribute("data-short") === "true")!;
    expect(within(shortRow).getByText("Requested 5, available 2")).toBeInTheDocument();
    expect(within(shortRow).getByRole("textbox", { name: "Quantity, line 2" })).toHaveAttribute("aria-invalid", "true");
  });
});
