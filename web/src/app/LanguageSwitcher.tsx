import { SegmentedControl } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { LANGUAGES, type Language } from "../lib/i18n";

/** English ⇄ 한국어; the choice is remembered in localStorage. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const current: Language = i18n.language?.startsWith("ko") ? "ko" : "en";
  return (
    <SegmentedControl
      aria-label={t("language.label")}
      size="xs"
      value={current}
      onChange={(value) => void i18n.changeLanguage(value)}
      data={LANGUAGES.map((language) => ({ value: language, label: t(`language.${language}`) }))}
    />
  );
}
