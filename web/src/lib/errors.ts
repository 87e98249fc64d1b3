import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";
import { knownProblem, translateServerText } from "./serverMessages";

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

/**
 * A translated sentence for any error: the server's detail when the UI knows how to say it,
 * else the code's sentence (with the server's own words where the locale allows, for the
 * conflicts they explain).
 */
export function useErrorMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error: unknown) => {
    if (!isApiError(error)) return t("errors.unexpected");
    // A problem about one thing (a file that is not a spreadsheet) says it in its detail too.
    const [sole] = error.errors;
    const known =
      (error.detail ? translateServerText(error.detail, t) : null) ??
      (error.errors.length === 1 && sole.message === error.detail ? knownProblem(sole, t) : null);
    if (known) return known;
    const base = isKnown(error.code) ? t(`errors.codes.${error.code}`) : t("errors.unexpected");
    const explains = error.code === "conflict" || error.code === "invalid_transition" || !isKnown(error.code);
    return explains && error.detail ? t("errors.withDetail", { message: base, detail: error.detail }) : base;
  };
}

/** Server field errors as `{field: message}`, ready for a form. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return isApiError(error) ? error.fieldErrors() : {};
}
