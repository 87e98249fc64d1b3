import { isApiError } from "../../api/client";
import type { Shortage } from "./LineEditor";

/** The short lines of an `insufficient_stock` error, by line index (`lines[2].quantity` → 2). */
export function shortagesOf(error: unknown): Record<number, Shortage> {
  const out: Record<number, Shortage> = {};
  if (!isApiError(error) || error.code !== "insufficient_stock") return out;
  for (const entry of error.errors) {
    const match = /^lines\[(\d+)\]/.exec(entry.field);
    if (match) out[Number(match[1])] = { requested: entry.requested ?? "0", available: entry.available ?? "0" };
  }
  return out;
}
