import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { CreatedApiKey } from "./queries";

/** The new key's secret, the only time anyone sees it. */
export function SecretDialog({ apiKey, onClose }: { apiKey: CreatedApiKey; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("apiKeys.secretTitle", { name: apiKey.name })}
      size="lg"
      centered
      closeOnClickOutside={false}
    >
      <Stack>
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />}>
          {t("apiKeys.secretWarning")}
        </Alert>
        <Group align="flex-end" wrap="nowrap" gap="xs">
          <TextInput
            label={t("apiKeys.secretLabel")}
            value={apiKey.secret}
            readOnly
            onFocus={(event) => event.currentTarget.select()}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            style={{ flex: 1 }}
          />
          <CopyButton value={apiKey.secret}>
            {({ copied, copy }) => (
              <Button
                onClick={copy}
                color={copied ? "teal" : undefined}
                variant={copied ? "light" : "filled"}
                leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
              >
                {copied ? t("common.copied") : t("apiKeys.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm" c="dimmed">
          {t("apiKeys.secretUsage")}
        </Text>
        <Group justify="flex-end">
          <Button onClick={onClose}>{t("apiKeys.stored")}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
