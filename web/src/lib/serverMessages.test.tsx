import { screen } from "@testing-library/react";
import { ApiError } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { renderWithProviders } from "../test/render";
import { setupI18n } from "./i18n";
import { fieldLabel, translateFieldMessage, translateServerText } from "./serverMessages";

const i18n = setupI18n({ language: "en" });
const ko = i18n.getFixedT("ko");
const en = i18n.getFixedT("en");

// The three problems of row 4 in tests/fixtures/spreadsheets/items_bad_row.xlsx, as the server words them.
const BAD_ROW = [
  "Required: a name (1-200 characters).",
  "Expected a number >= 0 with at most 4 decimal places and 11 integer digits, got a negative number (-5).",
  "Expected a number >= 0 with at most 3 decimal places and 12 integer digits, got 'many'.",
];

describe("server messages", () => {
  it("say import row problems in Korean, keeping the values", () => {
    expect(BAD_ROW.map((message) => translateFieldMessage(message, ko))).toEqual([
      "필수: 품목명(1–200자)을 입력하세요.",
      "음수는 입력할 수 없습니다(-5).",
      "0 이상, 정수부 12자리·소수점 이하 3자리 이내의 숫자여야 하는데 'many' 값이 있습니다.",
    ]);
    expect(translateFieldMessage("MON-24 already exists; import with mode=upsert to update existing items.", ko)).toBe(
      "MON-24은(는) 이미 있는 품목입니다. 수정하려면 ‘기존 품목 수정’을 선택하세요.",
    );
  });

  it("translate Pydantic's and the password policy's field messages", () => {
    expect(translateFieldMessage("Input should be greater than or equal to 0", ko)).toBe("0 이상이어야 합니다.");
    expect(translateFieldMessage("String should have at most 64 characters", ko)).toBe("64자 이하로 입력하세요.");
    expect(translateFieldMessage("Use at least 10 characters.", ko)).toBe("10자 이상 입력하세요.");
    expect(translateFieldMessage("Input should be 'viewer', 'staff', 'manager' or 'admin'", en)).toBe(
      "Use one of: 'viewer', 'staff', 'manager' or 'admin'.",
    );
  });

  it("leave an unknown message in English only where the UI is English", () => {
    expect(translateServerText("Something new the server says.", ko)).toBeNull();
    expect(translateFieldMessage("Something new the server says.", en)).toBe("Something new the server says.");
    expect(translateFieldMessage("Something new the server says.", ko)).toBe("올바르지 않은 값입니다.");
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
      errors: [{ field: "lines[0].quantity", message: "Input should be greater than 0" }],
    });
    renderWithProviders(<ErrorAlert error={error} />, { language: "ko" });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("입력값이 올바르지 않습니다.");
    expect(alert).toHaveTextContent("1행 수량: 0보다 커야 합니다.");
  });
});
