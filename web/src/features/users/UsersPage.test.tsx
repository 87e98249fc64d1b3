import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ADMIN, json, mockFetch, renderWithProviders } from "../../test/render";
import { UsersPage } from "./UsersPage";

const STAFF = { ...ADMIN, id: "00000000-4000-4000-8000-0000000000b1", email: "lee@example.test", name: "Lee Staff", role: "staff", version: 3 };

function problem(status: number, code: string, detail: string, errors?: Array<{ field: string; code: string; message: string; params?: object }>) {
  return json({ type: "x", title: "x", status, code, detail, errors }, status);
}

function page(rows: unknown[]) {
  return json({ data: rows, count: rows.length, page: 1, limit: 25 });
}

describe("the users screen", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("creates a user, showing the password policy's refusal on the field in Korean", async () => {
    let attempts = 0;
    const { calls } = mockFetch((request, url) => {
      if (url.pathname === "/api/v1/users" && request.method === "POST") {
        attempts += 1;
        return attempts === 1
          ? problem(422, "validation_error", "The password does not meet the policy.", [{ field: "password", code: "password_too_short", message: "Use at least 10 characters.", params: { min: 10 } }])
          : json({ ...STAFF, id: "new", email: "park@example.test", name: "Park" }, 201);
      }
      if (url.pathname === "/api/v1/users") return page([ADMIN, STAFF]);
    });
    const user = userEvent.setup();
    renderWithProviders(<UsersPage />, { route: "/users", language: "ko" });

    await user.click(await screen.findByRole("button", { name: "새 사용자" }));
    const dialog = await screen.findByRole("dialog", { name: "새 사용자" });
    await user.type(within(dialog).getByLabelText(/^이메일/), "park@example.test");
    await user.type(within(dialog).getByLabelText(/^이름/), "Park");
    await user.type(within(dialog).getByLabelText(/^초기 비밀번호/), "short");
    await user.click(within(dialog).getByRole("button", { name: "저장" }));

    const password = within(dialog).getByLabelText(/^초기 비밀번호/);
    await waitFor(() => expect(password).toHaveAccessibleDescription(/^10자 이상 입력하세요\./));
    expect(dialog.textContent).not.toMatch(/Use at least/);

    await user.clear(password);
    await user.type(password, "a-much-longer-passphrase");
    await user.click(within(dialog).getByRole("button", { name: "저장" }));
    expect(await screen.findByText("사용자 park@example.test을(를) 만들었습니다.")).toBeInTheDocument();
    const posts = calls.filter((call) => call.method === "POST");
    expect(posts.at(-1)!.body).toEqual({ email: "park@example.test", name: "Park", role: "staff", password: "a-much-longer-passphrase" });
  });

  it("refuses to demote the last admin with a readable reason", async () => {
    const { calls } = mockFetch((request, url) => {
      if (request.method === "PATCH") return problem(409, "conflict", "The last active admin cannot be demoted or deactivated.");
      if (url.pathname === "/api/v1/users") return page([ADMIN, STAFF]);
    });
    const user = userEvent.setup();
    renderWithProviders(<UsersPage />, { route: "/users" });

    await user.click(await screen.findByRole("button", { name: "Edit Kim Admin" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit Kim Admin" });
    expect(within(dialog).getByLabelText(/^Email/)).toBeDisabled();
    await user.click(within(dialog).getByRole("switch", { name: /Active/ }));
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The last active admin cannot be demoted or deactivated.");
    const patch = calls.find((call) => call.method === "PATCH")!;
    expect(patch.url.pathname).toBe(`/api/v1/users/${ADMIN.id}`);
    expect(patch.headers.get("If-Match")).toBe('"1"');
    expect(patch.body).toEqual({ name: "Kim Admin", role: "admin", active: false });
  });

  it("resets a password", async () => {
    const { calls } = mockFetch((_, url) => {
      if (url.pathname === `/api/v1/users/${STAFF.id}/password`) return json(STAFF);
      if (url.pathname === "/api/v1/users") return page([ADMIN, STAFF]);
    });
    const user = userEvent.setup();
    renderWithProviders(<UsersPage />, { route: "/users" });

    await user.click(await screen.findByRole("button", { name: "Reset password for Lee Staff" }));
    const dialog = await screen.findByRole("dialog", { name: "New password for Lee Staff" });
    await user.type(within(dialog).getByLabelText(/^New password/), "another-long-passphrase");
    await user.click(within(dialog).getByRole("button", { name: "Reset password" }));

    expect(await screen.findByText("Password of Lee Staff reset.")).toBeInTheDocument();
    expect(calls.find((call) => call.method === "POST")!.body).toEqual({ new_password: "another-long-passphrase" });
  });
});
