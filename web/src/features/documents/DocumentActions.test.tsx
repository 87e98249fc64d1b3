import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderWithProviders } from "../../test/render";
import { DocumentActions } from "./DocumentActions";

const ALL = ["Approve", "Commit", "Reopen", "Reverse", "Cancel document"];

function visibleActions(): string[] {
  return ALL.filter((name) => screen.queryByRole("button", { name }) !== null);
}

describe("DocumentActions", () => {
  it("renders exactly the actions the server allows, in workflow order", () => {
    renderWithProviders(
      <DocumentActions kind="outbound" number="OUT-000001" allowedActions={["cancel", "update", "approve"]} onAction={vi.fn()} />,
    );
    expect(visibleActions()).toEqual(["Approve", "Cancel document"]);
  });

  it("renders nothing when no action is allowed (a viewer, or a closed document)", () => {
    const { container } = renderWithProviders(
      <DocumentActions kind="inbound" number="IN-000001" allowedActions={[]} onAction={vi.fn()} />,
    );
    expect(visibleActions()).toEqual([]);
    expect(container.querySelectorAll("button")).toHaveLength(0);
  });

  it("asks for confirmation before running an action", async () => {
    const onAction = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <DocumentActions kind="inbound" number="IN-000007" allowedActions={["commit", "reopen", "cancel"]} onAction={onAction} />,
    );
    await user.click(screen.getByRole("button", { name: "Commit" }));
    const dialog = await screen.findByRole("dialog", { name: "Commit IN-000007?" });
    expect(dialog).toHaveTextContent("added to on-hand stock");
    expect(onAction).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Back" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(onAction).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Commit" }));
    const confirm = await screen.findByRole("dialog", { name: "Commit IN-000007?" });
    await user.click(confirm.querySelector("button[type=submit]")!);
    expect(onAction).toHaveBeenCalledWith("commit", undefined);
  });

  it("requires a reason to reverse and passes it on", async () => {
    const onAction = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <DocumentActions kind="outbound" number="OUT-000002" allowedActions={["reverse"]} onAction={onAction} />,
    );
    await user.click(screen.getByRole("button", { name: "Reverse" }));
    const dialog = await screen.findByRole("dialog", { name: "Reverse OUT-000002?" });
    const submit = dialog.querySelector<HTMLButtonElement>("button[type=submit]")!;
    await user.click(submit);
    expect(await screen.findByText("Required.")).toBeInTheDocument();
    expect(onAction).not.toHaveBeenCalled();

    await user.type(screen.getByRole("textbox", { name: "Reason" }), "  Customer returned the goods ");
    await user.click(submit);
    expect(onAction).toHaveBeenCalledWith("reverse", "Customer returned the goods");
  });

  it("lets a cancel go without a reason, but keeps one when given", async () => {
    const onAction = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <DocumentActions kind="outbound" number="OUT-000003" allowedActions={["cancel"]} onAction={onAction} />,
    );
    await user.click(screen.getByRole("button", { name: "Cancel document" }));
    const dialog = await screen.findByRole("dialog");
    expect(screen.getByRole("textbox", { name: "Reason" })).not.toBeRequired();
    await user.click(dialog.querySelector("button[type=submit]")!);
    expect(onAction).toHaveBeenCalledWith("cancel", undefined);
  });

  it("speaks Korean when the UI does", async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <DocumentActions kind="outbound" number="OUT-000004" allowedActions={["approve", "cancel"]} onAction={vi.fn()} />,
      { language: "ko" },
    );
    expect(screen.getByRole("button", { name: "승인" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "전표 취소" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "승인" }));
    expect(await screen.findByRole("dialog", { name: "OUT-000004을(를) 승인할까요?" })).toHaveTextContent("재고를 예약합니다");
  });
});
