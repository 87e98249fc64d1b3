// Numbers, money and dates formatted for the UI's language; quantities formatted from their
// exact decimal text.
import { toDecimalString } from "./decimal";

export const CURRENCY: string = import.meta.env.VITE_CURRENCY ?? "KRW";

function intlLocale(language: string): string {
  return language.startsWith("ko") ? "ko-KR" : "en-US";
}

type NumberFormatInput = Parameters<Intl.NumberFormat["format"]>[0];

// Building an Intl formatter costs about as much as formatting forty numbers with one, and a
// 200-row table formats a thousand values: each formatter is built once per language.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(language: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${intlLocale(language)} ${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(intlLocale(language), options)));
  return format;
}

function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${intlLocale(language)} ${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(intlLocale(language), options)));
  return format;
}

export function formatQuantity(value: number | string | null | undefined, language: string): string {
  if (value === null || value === undefined) return "—";
  const exact = toDecimalString(value);
  return numberFormat(language, { maximumFractionDigits: 3 }).format(exact as unknown as NumberFormatInput);
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
  return numberFormat(language, { style: "currency", currency, maximumFractionDigits: 4 }).format(
    toDecimalString(value) as unknown as NumberFormatInput,
  );
}

export function formatCount(value: number, language: string): string {
  return numberFormat(language).format(value);
}

export function formatDateTime(value: string | null | undefined, language: string): string {
  if (!value) return "—";
  return dateFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

export function formatDate(value: string | null | undefined, language: string): string {
  if (!value) return "—";
  return dateFormat(language, { dateStyle: "medium" }).format(new Date(value));
}

/** A calendar day (`2026-11-22`, no time zone) as a short month and day: "Nov 22", "11. 22.". */
export function formatDay(value: string, language: string): string {
  return dateFormat(language, { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${value}T00:00:00Z`));
}
