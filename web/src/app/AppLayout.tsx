import { AppShell, Avatar, Burger, Divider, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconChevronDown, IconLogout } from "@tabler/icons-react";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { NavLink as RouterNavLink, Outlet, useLocation } from "react-router";
import { BarcodeLookup } from "../features/items/BarcodeLookup";
import { ErrorBoundary } from "./ErrorBoundary";
import { EngineFooter } from "./EngineFooter";
import { LanguageSwitcher } from "./LanguageSwitcher";
import { hasRole, useAuth, useUser } from "./auth";
import { NAVIGATION } from "./navigation";

export function AppLayout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const user = useUser();
  const { signOut } = useAuth();
  const location = useLocation();

  return (
    <AppShell
      header={{ height: 56 }}
      footer={{ height: 32 }}
      navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.toggle")} />
            <Text fw={700} size="lg" component={RouterNavLink} to="/" c="inherit" style={{ textDecoration: "none" }}>
              {t("app.name")}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Group visibleFrom="sm">
              <BarcodeLookup />
            </Group>
            <Group visibleFrom="xs">
              <LanguageSwitcher />
            </Group>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton>
                  <Group gap={6} wrap="nowrap">
                    <Avatar size="sm" radius="xl" color="indigo" aria-hidden>
                      {user.name.slice(0, 1).toUpperCase()}
                    </Avatar>
                    <Text size="sm" visibleFrom="md">
                      {user.name}
                    </Text>
                    <VisuallyHidden>{t("nav.userMenu")}</VisuallyHidden>
                    <IconChevronDown size={14} aria-hidden />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {user.email} · {t(`roles.${user.role}`)}
                </Menu.Label>
                <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
                  {t("nav.logout")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label={t("nav.main")}>
        <AppShell.Section hiddenFrom="sm" mb="sm">
          <BarcodeLookup onFound={close} />
          <Group mt="xs" hiddenFrom="xs">
            <LanguageSwitcher />
          </Group>
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          {NAVIGATION.map((group, index) => {
            const entries = group.entries.filter((entry) => !entry.minRole || hasRole(user, entry.minRole));
            if (entries.length === 0) return null;
            return (
              <div key={group.label ?? index}>
                {group.label ? (
                  <>
                    <Divider my={6} />
                    <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={4}>
                      {t(`nav.groups.${group.label}`)}
                    </Text>
                  </>
                ) : null}
                {entries.map((entry) => (
                  <NavLink
                    key={entry.to}
                    component={RouterNavLink}
                    variant="light"
                    to={entry.to}
                    end={entry.end}
                    label={t(`nav.${entry.label}`)}
                    leftSection={<entry.icon size={18} stroke={1.6} aria-hidden />}
                    onClick={close}
                    active={
                      entry.end
                        ? location.pathname === entry.to
                        : location.pathname === entry.to || location.pathname.startsWith(`${entry.to}/`)
                    }
                  />
                ))}
              </div>
            );
          })}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <ErrorBoundary key={location.pathname}>
          <Suspense fallback={null}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </AppShell.Main>

      <AppShell.Footer>
        <EngineFooter />
      </AppShell.Footer>
    </AppShell>
  );
}
