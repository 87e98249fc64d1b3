import { Group, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { fetchHealth } from "../api/client";

/** Which engine build answers: name, commit, schema revision and environment (from /healthz). */
export function EngineFooter() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ["healthz"], queryFn: fetchHealth, staleTime: 60_000 });
  return (
    <Group gap="md" px="md" h="100%" wrap="wrap" justify="space-between">
      <Text size="xs" c="dimmed" data-testid="engine-identity">
        {data
          ? t("footer.identity", {
              name: data.engine.name,
              commit: data.engine.commit,
              schema: data.engine.schema ?? "—",
              env: data.engine.env,
            })
          : t("common.loading")}
      </Text>
      {data && !data.schema_ok ? (
        <Text size="xs" c="red.8">
          {t("footer.schemaMismatch")}
        </Text>
      ) : null}
    </Group>
  );
}
