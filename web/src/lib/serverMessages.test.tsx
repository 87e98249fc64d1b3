import { screen } from "@testing-library/react";
import { ApiError } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { renderWithProviders } from "../test/render";
import { setupI18n } from "./i18n";
import { fieldLabel, knownProblem, translateProblem, translateServerText, type ServerProblem } from "./serverMessages";

const i18n = setupI18n({ language: "en" });
const ko = i18n.getFixedT("ko");
const en = i18n.getFixedT("en");

// The three problems of row 4 in tests/fixtures/spreadsheets/items_bad_row.xlsx, as the server sends them.
const BAD_ROW: ServerProblem[] = [
  { field: "name", code: "required", message: "Required: a name (1-200 characters).", params: {} },
  {
    field: "unit_cost",
    code: "negative",
    message: "Expected a number >= 0 with at most 4 decimal places and 11 integer digits, got a negative number (-5).",
    params: { places: 4, digits: 11, got: "-5" },
  },
  {
    field: "reorder_point",
    code: "number_expected",
    message: "Expected a number >= 0 with at most 3 decimal places and 12 integer digits, got 'many'.",
    params: { places: 3, digits: 12, got: "'many'" },
  },
];

describe("server messages", () => {
  it("say import row problems in Korean by their code, keeping the values", () => {
    expect(BAD_ROW.map((problem) => translateProblem(problem, ko))).toEqual([
      "필수: 품목명(1–200자)을 입력하세요.",
      "음수는 입력할 수 없습니다(-5).",
      "0 이상, 정수부 12자리·소수점 이하 3자리 이내의 숫자여야 하는데 'many' 값이 있습니다.",
    ]);
    const exists = { field: "sku", code: "sku_exists", message: "MON-24 already exists; …", params: { sku: "MON-24" } };
    expect(translateProblem(exists, ko)).toBe("MON-24은(는) 이미 있는 품목입니다. 수정하려면 ‘기존 품목 수정’을 선택하세요.");
    const rows = { field: "file", code: "file_too_many_rows", message: "The file has more than 100,000 data rows", params: { max: 100000 } };
    expect(translateProblem(rows, en)).toBe("The file has more than 100,000 rows; split it into several files.");
  });

  it("choose the sentence by code and field, never by the English text", () => {
    // The server may reword its English: the translation follows the code and params.
    const reworded = { field: "sku", code: "required", message: "SKU missing", params: {} };
    expect(translateProblem(reworded, ko)).toBe("필수: 품목코드(SKU, 1–64자)를 입력하세요.");
    expect(translateProblem({ ...reworded, field: "lines[0].item_id", code: "missing" }, ko)).toBe("필수 항목입니다.");
    const engine = { field: "engine_code", code: "unknown_code", message: "?", params: { code: "NOENG" } };
    expect(translateProblem(engine, ko)).toBe("코드가 NOENG인 엔진이 없습니다.");
    expect(translateProblem({ ...engine, field: "warehouse_code" }, ko)).toBe("코드가 NOENG인 창고가 없습니다.");
    expect(translateProblem({ field: "lines[0].counted_quantity", code: "below_reserved", message: "?", params: { reserved: "3" } }, en)).toBe(
      "3 is reserved for approved shipments.",
    );
    expect(translateProblem({ field: "counted_quantity", code: "below_reserved", message: "?", params: { reserved: "3" } }, en)).toBe(
      "3 is reserved for approved shipments; the count cannot be lower.",
    );
  });

  it("translate Pydantic's and the password policy's codes with their limits", () => {
    const problem = (code: string, params: Record<string, string | number> = {}) => ({ field: "x", code, message: "(English)", params });
    expect(translateProblem(problem("greater_than_equal", { ge: "0" }), ko)).toBe("0 이상이어야 합니다.");
    expect(translateProblem(problem("string_too_long", { max_length: 64 }), ko)).toBe("64자 이하로 입력하세요.");
    expect(translateProblem(problem("password_too_short", { min: 10 }), ko)).toBe("10자 이상 입력하세요.");
    expect(translateProblem(problem("enum", { expected: "'viewer', 'staff', 'manager' or 'admin'" }), en)).toBe(
      "Use one of: 'viewer', 'staff', 'manager' or 'admin'.",
    );
    expect(translateProblem(problem("decimal_max_places", { decimal_places: 3 }), en)).toBe("At most 3 decimal places.");
  });

  it("leave an unknown code in English only where the UI is English", () => {
    const unknown = { field: "x", code: "something_new", message: "Something new the server says.", params: {} };
    expect(knownProblem(unknown, ko)).toBeNull();
    expect(translateProblem(unknown, en)).toBe("Something new the server says.");
    expect(translateProblem(unknown, ko)).toBe("올바르지 않은 값입니다.");
    expect(translateServerText("Something new the server says.", ko)).toBeNull();
  });

  it("name fields as the forms do", () => {
    expect(fieldLabel("lines[2].quantity", ko)).toBe("3행 수량");
    expect(fieldLabel("new_password", en)).toBe("New password");
    expect(fieldLabel("webhook_thing", ko)).toBe("webhook_thing");
  });
});

describe("error alerts in Korean", () => {
  it("translate a known conflict instead of appending the server's English", () => {
    const error = new ApiError(409, { code: "conflict", detail: "The last active admin cannot be demoted or deactivated." });
    renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("마지막으로 남은 활성 시스템 관리자는 역할을 낮추거나 사용 중지할 수 없습니다.");
    expect(alert.textContent).not.toMatch(/[A-Za-z]{4,}/);
  });

  it("name the document's state of a refused transition in Korean", () => {
    const error = new ApiError(409, { code: "invalid_transition", detail: "Cannot approve a document that is committed." });
    renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    expect(screen.getByRole("alert")).toHaveTextContent("전표가 이미 ‘확정됨’ 상태라 이 작업을 할 수 없습니다.");
  });

  it("say a file's problem by its code where the detail repeats it", () => {
    const error = new ApiError(422, {
      code: "validation_error",
      detail: "The workbook has no worksheet.",
      errors: [{ field: "file", code: "file_no_sheet", message: "The workbook has no worksheet.", params: {} }],
    });
    renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    expect(screen.getByRole("alert").textContent).not.toMatch(/[A-Za-z]{4,}/);
  });

  it("drop an unknown English detail in Korean but keep it in English", () => {
    const error = new ApiError(409, { code: "conflict", detail: "Some brand-new conflict." });
    const { unmount } = renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    expect(screen.getByRole("alert")).toHaveTextContent("기존 데이터와 충돌합니다.");
    expect(screen.getByRole("alert").textContent).not.toContain("brand-new");
    unmount();
    renderWithProviders(<ErrorAlert error={error} />, { language: "en" });
    expect(screen.getByRole("alert")).toHaveTextContent("This conflicts with existing data. (Some brand-new conflict.)");
  });

  it("translate field errors and their field names", () => {
    const error = new ApiError(422, {
      code: "validation_error",
      detail: "The request is not valid; see errors.",
      errors: [{ field: "lines[0].quantity", code: "greater_than", message: "Input should be greater than 0", params: { gt: 0 } }],
    });
    renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("입력값이 올바르지 않습니다.");
    expect(alert).toHaveTextContent("1행 수량: 0보다 커야 합니다.");
  });
});
