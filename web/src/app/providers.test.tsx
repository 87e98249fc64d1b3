import { DatePickerInput } from "@mantine/dates";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setupI18n, type Language } from "../lib/i18n";
import { createQueryClient, Providers } from "./providers";

async function openCalendarIn(language: Language) {
  const i18n = setupI18n({ language });
  await i18n.changeLanguage(language);
  render(
    <Providers queryClient={createQueryClient()}>
      <DatePickerInput label="When" defaultValue="2026-12-04" />
    </Providers>,
  );
  await userEvent.click(screen.getByRole("button", { name: /When/ }));
}

describe("Providers", () => {
  it("heads a Korean calendar the Korean way: year first, then the month", async () => {
    await openCalendarIn("ko");
    expect(await screen.findByText("2026년 12월")).toBeInTheDocument();
    expect(screen.queryByText("12월 2026")).not.toBeInTheDocument();
  });

  it("keeps month then year in English", async () => {
    await openCalendarIn("en");
    expect(await screen.findByText("December 2026")).toBeInTheDocument();
  });
});
