import { Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export type ReasonMode = "none" | "optional" | "required";

interface ConfirmDialogProps {
  opened: boolean;
  title: ReactNode;
  message: ReactNode;
  confirmLabel: ReactNode;
  color?: string;
  reason?: ReasonMode;
  loading?: boolean;
  onConfirm: (reason: string | undefined) => void;
  onClose: () => void;
}

/** Asks before an action; for cancel and reverse it also asks why. */
export function ConfirmDialog({
  opened,
  title,
  message,
  confirmLabel,
  color,
  reason = "none",
  loading = false,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (opened) {
      setText("");
      setTouched(false);
    }
  }, [opened]);
  const missing = reason === "required" && text.trim() === "";

  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (missing) return;
          onConfirm(reason === "none" ? undefined : text.trim() || undefined);
        }}
      >
        <Stack>
          <Text size="sm">{message}</Text>
          {reason !== "none" ? (
            <Textarea
              label={t("confirm.reason")}
              description={reason === "optional" ? t("confirm.reasonOptional") : undefined}
              required={reason === "required"}
              value={text}
              onChange={(event) => setText(event.currentTarget.value)}
              error={touched && missing ? t("validation.required") : undefined}
              autosize
              minRows={2}
              maxLength={2000}
              data-autofocus
            />
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={loading}>
              {t("common.back")}
            </Button>
            <Button type="submit" color={color} loading={loading} data-autofocus={reason === "none" ? true : undefined}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
