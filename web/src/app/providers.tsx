import { Autocomplete, FileInput, MantineProvider, Modal, Notification, Select, mergeThemeOverrides } from "@mantine/core";
import { DatePickerInput, DatesProvider, DateTimePicker } from "@mantine/dates";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";
import { cssVariablesResolver, theme } from "./theme";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        // A 4xx will answer the same again; only retry what might be transient.
        retry: (failures, error) => failures < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      },
    },
  });
}

function LocalizedDates({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <DatesProvider settings={{ locale: i18n.language?.startsWith("ko") ? "ko" : "en" }}>{children}</DatesProvider>
  );
}

/** Theme, dates, notifications and the query cache; the router and auth sit inside. */
export function Providers({ children, queryClient }: { children: ReactNode; queryClient: QueryClient }) {
  const { t, i18n } = useTranslation();
  const close = t("common.close");
  const clear = t("common.clear");
  const korean = i18n.language?.startsWith("ko") ?? false;
  // Close and clear buttons get a name in the reader's language; calendar headers read
  // "2026년 12월" in Korean, not dayjs's "12월 2026".
  const localized = useMemo(() => {
    const calendar = korean
      ? { monthLabelFormat: "YYYY년 M월", yearLabelFormat: "YYYY년" }
      : { monthLabelFormat: "MMMM YYYY", yearLabelFormat: "YYYY" };
    return mergeThemeOverrides(theme, {
      components: {
        Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
        Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
        Select: Select.extend({ defaultProps: { clearButtonProps: { "aria-label": clear } } }),
        Autocomplete: Autocomplete.extend({ defaultProps: { clearButtonProps: { "aria-label": clear } } }),
        FileInput: FileInput.extend({ defaultProps: { clearButtonProps: { "aria-label": clear } } }),
        DatePickerInput: DatePickerInput.extend({
          defaultProps: { clearButtonProps: { "aria-label": clear }, ...calendar },
        }),
        DateTimePicker: DateTimePicker.extend({
          defaultProps: { clearButtonProps: { "aria-label": clear }, ...calendar },
        }),
      },
    });
  }, [close, clear, korean]);
  return (
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={localized} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
        <LocalizedDates>
          <Notifications position="top-right" />
          {children}
        </LocalizedDates>
      </MantineProvider>
    </QueryClientProvider>
  );
}
