import dayjs from "dayjs";
import "dayjs/locale/ko";
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";
import { en } from "./locales/en";
import { ko } from "./locales/ko";

export const LANGUAGES = ["en", "ko"] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_STORAGE_KEY = "erp.language";

export const resources = { en: { translation: en }, ko: { translation: ko } } as const;

function applyLanguage(language: string) {
  const short = language.startsWith("ko") ? "ko" : "en";
  dayjs.locale(short);
  if (typeof document !== "undefined") document.documentElement.lang = short;
}

/** i18next with Korean chosen when the browser prefers it, and the user's choice remembered. */
export function setupI18n(options: { language?: Language } = {}) {
  if (!i18n.isInitialized) {
    i18n.on("languageChanged", applyLanguage);
    void i18n
      .use(LanguageDetector)
      .use(initReactI18next)
      .init({
        resources,
        lng: options.language,
        fallbackLng: "en",
        supportedLngs: [...LANGUAGES],
        nonExplicitSupportedLngs: true,
        load: "languageOnly",
        interpolation: { escapeValue: false },
        returnNull: false,
        detection: {
          order: ["localStorage", "navigator"],
          lookupLocalStorage: LANGUAGE_STORAGE_KEY,
          caches: ["localStorage"],
        },
        initImmediate: false,
      } as Parameters<typeof i18n.init>[0]);
    applyLanguage(i18n.language ?? "en");
  } else if (options.language) {
    void i18n.changeLanguage(options.language);
  }
  return i18n;
}

export default i18n;
