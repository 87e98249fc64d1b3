// Numbers, money and dates formatted for the UI's language; quantities formatted from their
// exact decimal text.
import { toDecimalString } from "./decimal";

export const CURRENCY: string = import.meta.env.VITE_CURRENCY ?? "KRW";

function intlLocale(language: string): string {
  return language.startsWith("ko") ? "ko-KR" : "en-US";
}

type NumberFormatInput = Parameters<Intl.NumberFormat["format"]>[0];

export function formatQuantity(value: number | string | null | undefined, language: string): string {
  if (value === null || value === undefined) return "—";
  const exact = toDecimalString(value);
  return new Intl.NumberFormat(intlLocale(language), { maximumFractionDigits: 3 }).format(
    exact as unknown as NumberFormatInput,
  );
}

export function formatSignedQuantity(value: number | string, language: string): string {
  const exact = toDecimalString(value);
  const formatted = formatQuantity(exact.replace(/^-/, ""), language);
  return exact.startsWith("-") ? `−${formatted}` : `+${formatted}`;
}

/** Money in the installation's currency (the server says which where it can; else the build's). */
export function formatMoney(
  value: number | string | null | undefined,
  language: string,
  currency: string = CURRENCY,
): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(intlLocale(language), {
    style: "currency",
    currency,
    maximumFractionDigits: 4,
  }).format(toDecimalString(value) as unknown as NumberFormatInput);
}

export function formatCount(value: number, language: string): string {
  return new Intl.NumberFormat(intlLocale(language)).format(value);
}

export function formatDateTime(value: string | null | undefined, language: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat(intlLocale(language), {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(value));
}

export function formatDate(value: string | null | undefined, language: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium" }).format(new Date(value));
}

/** A calendar day (`2026-11-22`, no time zone) as a short month and day: "Nov 22", "11. 22.". */
export function formatDay(value: string, language: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), { month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(`${value}T00:00:00Z`),
  );
}
