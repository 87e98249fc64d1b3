import { Button } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { EmptyState } from "../components/EmptyState";
import { PageHeader } from "../components/PageHeader";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("notFound.title")} />
      <EmptyState
        message={t("notFound.body")}
        action={
          <Button component={Link} to="/" variant="light">
            {t("nav.dashboard")}
          </Button>
        }
      />
    </>
  );
}
