import type { UseFormReturnType } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import type { TFunction } from "i18next";
import { isApiError } from "../api/client";
import { translateProblem } from "./serverMessages";

/**
 * Put a failed save's problem+json `errors` next to the fields they name; returns true when every
 * error found its field (so no separate alert is needed).
 */
export function applyServerErrors<T extends Record<string, unknown>>(
  form: UseFormReturnType<T>,
  error: unknown,
  t: TFunction,
): boolean {
  if (!isApiError(error) || error.errors.length === 0) return false;
  const known = new Set(Object.keys(form.values));
  let placed = 0;
  for (const fieldError of error.errors) {
    if (known.has(fieldError.field)) {
      form.setFieldError(fieldError.field, translateProblem(fieldError, t));
      placed += 1;
    }
  }
  return placed === error.errors.length;
}

export function notifySaved(t: TFunction, message?: string) {
  notifications.show({ color: "green", message: message ?? t("common.saved") });
}
