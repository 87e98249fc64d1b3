import { Button, Group } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog, type ReasonMode } from "../../components/ConfirmDialog";
import { ACTION_ORDER, type DocumentAction, type DocumentKind } from "./queries";

const STYLE: Record<DocumentAction, { color?: string; variant: "filled" | "light" | "default"; reason: ReasonMode }> = {
  approve: { variant: "filled", reason: "none" },
  commit: { color: "green", variant: "filled", reason: "none" },
  reopen: { variant: "default", reason: "none" },
  reverse: { color: "orange", variant: "light", reason: "required" },
  cancel: { color: "red", variant: "light", reason: "optional" },
};

interface DocumentActionsProps {
  kind: DocumentKind;
  number: string;
  /** Straight from the server's `allowed_actions`: the client never decides who may do what. */
  allowedActions: string[];
  pending?: DocumentAction | null;
  onAction: (action: DocumentAction, reason?: string) => Promise<unknown> | void;
}

/** One button per allowed workflow action, each behind a confirmation. */
export function DocumentActions({ kind, number, allowedActions, pending = null, onAction }: DocumentActionsProps) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState<DocumentAction | null>(null);
  const actions = ACTION_ORDER.filter((action) => allowedActions.includes(action));
  if (actions.length === 0) return null;
  const style = confirming ? STYLE[confirming] : null;

  return (
    <>
      <Group gap="xs">
        {actions.map((action) => (
          <Button
            key={action}
            color={STYLE[action].color}
            variant={STYLE[action].variant}
            loading={pending === action}
            disabled={pending !== null && pending !== action}
            onClick={() => setConfirming(action)}
          >
            {t(`actions.${action}.label`)}
          </Button>
        ))}
      </Group>
      <ConfirmDialog
        opened={confirming !== null}
        title={confirming ? t(`actions.${confirming}.title`, { number }) : ""}
        message={confirming ? t(`actions.${confirming}.${kind}`, { number }) : ""}
        confirmLabel={confirming ? t(`actions.${confirming}.label`) : ""}
        color={style?.color}
        reason={style?.reason ?? "none"}
        loading={pending !== null}
        onClose={() => setConfirming(null)}
        onConfirm={async (reason) => {
          const action = confirming!;
          try {
            await onAction(action, reason);
          } finally {
            setConfirming(null);
          }
        }}
      />
    </>
  );
}
