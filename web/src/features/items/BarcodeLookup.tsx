import { TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBarcode } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { findByBarcode } from "./queries";

/** A scanner types the code and presses Enter: the matching item opens. */
export function BarcodeLookup({ onFound }: { onFound?: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);

  async function lookUp() {
    const value = code.trim();
    if (!value) return;
    setBusy(true);
    try {
      const page = await findByBarcode(value);
      if (page.data.length === 1) {
        setCode("");
        onFound?.();
        navigate(`/items/${page.data[0].id}`);
      } else {
        notifications.show({ color: "yellow", message: t("barcode.notFound", { code: value }) });
      }
    } catch {
      notifications.show({ color: "red", message: t("errors.unexpected") });
    } finally {
      setBusy(false);
    }
  }

  return (
    <TextInput
      aria-label={t("barcode.label")}
      placeholder={t("barcode.placeholder")}
      leftSection={<IconBarcode size={16} aria-hidden />}
      value={code}
      disabled={busy}
      onChange={(event) => setCode(event.currentTarget.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          void lookUp();
        }
      }}
      autoComplete="off"
      size="sm"
      w={{ base: "100%", sm: 220 }}
    />
  );
}
