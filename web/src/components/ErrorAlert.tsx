import { Alert, List } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";
import { useErrorMessage } from "../lib/errors";
import { fieldLabel, translateProblem } from "../lib/serverMessages";

/** A problem+json error as a readable, translated alert with its field errors. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  if (!error) return null;
  const fields = isApiError(error) && error.code !== "insufficient_stock" ? error.errors : [];
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} aria-hidden />}
      title={title ?? t("errors.title")}
      role="alert"
      mb="md"
    >
      {message(error)}
      {fields.length > 0 ? (
        <List size="sm" mt="xs">
          {fields.map((field) => (
            <List.Item key={`${field.field}:${field.message}`}>
              {field.field ? <strong>{fieldLabel(field.field, t)}: </strong> : null}
              {translateProblem(field, t)}
            </List.Item>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}
