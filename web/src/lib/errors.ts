import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";

const KNOWN_CODES = [
  "validation_error",
  "not_found",
  "unauthorized",
  "forbidden",
  "conflict",
  "invalid_transition",
  "insufficient_stock",
  "precondition_failed",
  "idempotency_key_reused",
  "idempotency_in_flight",
  "payload_too_large",
  "rate_limited",
  "unavailable",
  "internal_error",
  "network_error",
] as const;

type KnownCode = (typeof KNOWN_CODES)[number];

function isKnown(code: string): code is KnownCode {
  return (KNOWN_CODES as readonly string[]).includes(code);
}

/** A translated sentence for any error; the server's detail is shown for conflicts it explains. */
export function useErrorMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error: unknown) => {
    if (!isApiError(error)) return t("errors.unexpected");
    if (!isKnown(error.code)) return error.detail || t("errors.unexpected");
    const base = t(`errors.codes.${error.code}`);
    // A conflict's detail names what is taken or in use; keep it for the reader.
    if ((error.code === "conflict" || error.code === "invalid_transition") && error.detail) {
      return `${base} (${error.detail})`;
    }
    return base;
  };
}

/** Server field errors as `{field: message}`, ready for a form. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return isApiError(error) ? error.fieldErrors() : {};
}
