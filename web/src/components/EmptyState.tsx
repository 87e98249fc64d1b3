import { Center, Stack, Text, ThemeIcon } from "@mantine/core";
import { IconInbox } from "@tabler/icons-react";
import type { ReactNode } from "react";

export function EmptyState({ message, action }: { message: ReactNode; action?: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" gap="xs">
        <ThemeIcon variant="light" size="xl" radius="xl" color="gray" aria-hidden>
          <IconInbox size={22} />
        </ThemeIcon>
        <Text c="dimmed">{message}</Text>
        {action}
      </Stack>
    </Center>
  );
}
