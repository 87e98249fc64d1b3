import { Button } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { EmptyState } from "../components/EmptyState";
import { PageHeader } from "../components/PageHeader";
import type { Role } from "./auth";

function Notice({ title, body }: { title: string; body: string }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={title} />
      <EmptyState
        message={body}
        action={
          <Button component={Link} to="/" variant="light">
            {t("nav.dashboard")}
          </Button>
        }
      />
    </>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <Notice title={t("notFound.title")} body={t("notFound.body")} />;
}

/** Where the reader's role may not go: said plainly (the server would refuse anyway). */
export function ForbiddenPage({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <Notice title={t("forbidden.title")} body={t("forbidden.body", { role: t(`roles.${role}`) })} />;
}
