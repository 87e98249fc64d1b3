import { Alert, Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { isApiError } from "../../api/client";
import { LanguageSwitcher } from "../../app/LanguageSwitcher";
import { useAuth } from "../../app/auth";
import { useErrorMessage } from "../../lib/errors";

export function LoginPage() {
  const { t } = useTranslation();
  const { status, signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const message = useErrorMessage();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: { email: "", password: "" },
    validate: {
      email: (value) => (value.trim() ? null : t("validation.required")),
      password: (value) => (value ? null : t("validation.required")),
    },
  });
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";

  if (status === "signedIn") return <Navigate to={target} replace />;

  return (
    <Box component="main" mih="100vh" bg="var(--mantine-color-gray-0)">
      <Center mih="100vh" p="md">
        <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
          <form
            onSubmit={form.onSubmit(async (values) => {
              setBusy(true);
              setError(null);
              try {
                await signIn(values.email.trim(), values.password);
                navigate(target, { replace: true });
              } catch (caught) {
                setError(caught);
              } finally {
                setBusy(false);
              }
            })}
            noValidate
          >
            <Stack>
              <div>
                <Title order={1} size="h2">
                  {t("app.name")}
                </Title>
                <Text c="dimmed" size="sm">
                  {t("login.subtitle")}
                </Text>
              </div>
              {error ? (
                <Alert color="red" variant="light" role="alert">
                  {isApiError(error) && error.status === 401 ? t("login.failed") : message(error)}
                </Alert>
              ) : null}
              <TextInput
                label={t("login.email")}
                type="email"
                autoComplete="username"
                required
                data-autofocus
                autoFocus
                {...form.getInputProps("email")}
              />
              <PasswordInput
                label={t("login.password")}
                autoComplete="current-password"
                required
                {...form.getInputProps("password")}
              />
              <Button type="submit" loading={busy} fullWidth>
                {t("login.submit")}
              </Button>
              <LanguageSwitcher />
            </Stack>
          </form>
        </Paper>
      </Center>
    </Box>
  );
}
