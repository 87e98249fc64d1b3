// Quantities stay exact: they travel as decimal strings and are added with big.js, never as
// binary floats.
import Big from "big.js";

export const QUANTITY_PATTERN = /^\d{1,12}(\.\d{1,3})?$/;

export type QuantityProblem = "required" | "format" | "places" | "positive" | "too_large";

/** Why `text` is not a valid document quantity (> 0, at most 12+3 digits), or null. */
export function quantityProblem(text: string, { allowZero = false } = {}): QuantityProblem | null {
  const value = text.trim();
  if (value === "") return "required";
  if (!/^\d+(\.\d+)?$/.test(value)) return "format";
  const [whole, fraction = ""] = value.split(".");
  if (fraction.length > 3) return "places";
  if (whole.replace(/^0+(?=\d)/, "").length > 12) return "too_large";
  if (!allowZero && new Big(value).lte(0)) return "positive";
  return null;
}

/** Exact text of a quantity the server sent (a JSON number or a decimal string). */
export function toDecimalString(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "0";
  return new Big(value).toFixed();
}

export function sumQuantities(values: Array<number | string | null | undefined>): string {
  return values
    .filter((v) => v !== null && v !== undefined && v !== "" && quantityProblem(String(v), { allowZero: true }) === null)
    .reduce<Big>((total, v) => total.plus(new Big(v as string | number)), new Big(0))
    .toFixed();
}

export function compareQuantities(a: number | string, b: number | string): number {
  return new Big(a).cmp(new Big(b));
}

export function subtractQuantities(a: number | string, b: number | string): string {
  return new Big(a).minus(new Big(b)).toFixed();
}
