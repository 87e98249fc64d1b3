import { Badge, Button, Group, Select, Text, VisuallyHidden } from "@mantine/core";
import { IconKey, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useUser } from "../../app/auth";
import { DataTable, serverTableProps, type Column } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { SearchInput } from "../../components/SearchInput";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { ResetPasswordDialog } from "./ResetPasswordDialog";
import { ROLES } from "./RoleSelect";
import { UserForm } from "./UserForm";
import { useUserList, type User } from "./queries";

const FILTERS = ["role", "active"] as const;
const ROLE_COLORS: Record<User["role"], string> = { viewer: "gray", staff: "blue", manager: "teal", admin: "grape" };

type Dialog = { kind: "new" } | { kind: "edit"; user: User } | { kind: "reset"; user: User } | null;

export function UsersPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useUser();
  const list = useListParams(FILTERS, { sort: "name" });
  const rows = useUserList(list);
  const [dialog, setDialog] = useState<Dialog>(null);

  const columns: Column<User>[] = [
    {
      key: "name",
      header: t("users.name"),
      sortKey: "name",
      render: (user) => (
        <Text size="sm" fw={600}>
          {user.name}
          {user.id === me.id ? ` ${t("users.you")}` : null}
        </Text>
      ),
    },
    { key: "email", header: t("users.email"), sortKey: "email", render: (user) => user.email },
    {
      key: "role",
      header: t("users.role"),
      sortKey: "role",
      render: (user) => (
        <Badge color={ROLE_COLORS[user.role]} variant="light" size="sm">
          {t(`roles.${user.role}`)}
        </Badge>
      ),
    },
    { key: "active", header: t("common.status"), render: (user) => <StatusBadge status={user.active ? "active" : "inactive"} size="sm" /> },
    { key: "login", header: t("users.lastLogin"), sortKey: "last_login_at", render: (user) => formatDateTime(user.last_login_at, lang) },
    { key: "created", header: t("common.createdAt"), sortKey: "created_at", render: (user) => formatDateTime(user.created_at, lang) },
    {
      key: "actions",
      header: <VisuallyHidden>{t("common.actions")}</VisuallyHidden>,
      align: "right",
      render: (user) => (
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={() => setDialog({ kind: "edit", user })}
            aria-label={t("users.editNamed", { name: user.name })}
          >
            {t("common.edit")}
          </Button>
          <Button
            size="compact-sm"
            variant="subtle"
            color="orange"
            leftSection={<IconKey size={14} aria-hidden />}
            onClick={() => setDialog({ kind: "reset", user })}
            aria-label={t("users.resetNamed", { name: user.name })}
          >
            {t("users.resetPassword")}
          </Button>
        </Group>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("users.title")}
        description={t("users.description")}
        actions={
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setDialog({ kind: "new" })}>
            {t("users.new")}
          </Button>
        }
      />
      <Group mb="sm" align="flex-end" wrap="wrap">
        <SearchInput label={t("common.search")} placeholder={t("users.searchHint")} value={list.q} onChange={(q) => list.update({ q })} />
        <Select
          label={t("users.role")}
          placeholder={t("common.all")}
          clearable
          data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
          value={list.filters.role ?? null}
          onChange={(role) => list.update({ role })}
          w={170}
        />
        <Select
          label={t("common.status")}
          placeholder={t("common.all")}
          clearable
          data={[
            { value: "true", label: t("status.active") },
            { value: "false", label: t("status.inactive") },
          ]}
          value={list.filters.active ?? null}
          onChange={(active) => list.update({ active })}
          w={140}
        />
      </Group>
      <DataTable caption={t("users.title")} columns={columns} {...serverTableProps(list, rows)} rowKey={(user) => user.id} />
      {dialog?.kind === "new" ? <UserForm onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "edit" ? <UserForm user={dialog.user} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "reset" ? <ResetPasswordDialog user={dialog.user} onClose={() => setDialog(null)} /> : null}
    </>
  );
}
