import { Alert, Button, Code, Container, Stack, Text } from "@mantine/core";
import { Component, type ErrorInfo, type ReactNode } from "react";
import { Translation } from "react-i18next";

interface State {
  error: Error | null;
}

/** Catches a render error anywhere below it and offers a reload instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.warn("UI error", error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Translation>
        {(t) => (
          <Container size="sm" py="xl">
            <Alert color="red" title={t("errors.boundaryTitle")} role="alert">
              <Stack gap="sm">
                <Text size="sm">{t("errors.boundaryBody")}</Text>
                <Code block>{this.state.error?.message}</Code>
                <Button onClick={() => window.location.reload()} w="fit-content">
                  {t("errors.reload")}
                </Button>
              </Stack>
            </Alert>
          </Container>
        )}
      </Translation>
    );
  }
}
