import {
  Alert,
  Button,
  Card,
  FileInput,
  Group,
  Radio,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconCircleCheck, IconDownload, IconFileUpload, IconUpload } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { fetchFile } from "../../api/client";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useDownload } from "../../lib/download";
import { formatCount } from "../../lib/format";
import { translateProblem } from "../../lib/serverMessages";
import {
  TEMPLATE_PATHS,
  importProblemsOf,
  useImport,
  type ImportKind,
  type ImportMode,
  type ImportProblem,
  type ImportResult,
} from "./queries";

const ACCEPT = ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PAGE_SIZE = 25;

type Outcome =
  | { step: "checked"; result: ImportResult }
  | { step: "imported"; result: ImportResult }
  | { step: "failed"; error: unknown }
  | null;

function Templates({ kind }: { kind: ImportKind }) {
  const { t } = useTranslation();
  const { download, pending } = useDownload<"xlsx" | "csv">();
  const get = (format: "xlsx" | "csv") => download(format, () => fetchFile(TEMPLATE_PATHS[kind], { format }));
  return (
    <Group gap="xs">
      <Text size="sm" fw={600}>
        {t("import.template")}
      </Text>
      <Button size="xs" variant="light" leftSection={<IconDownload size={14} aria-hidden />} loading={pending === "xlsx"} onClick={() => void get("xlsx")}>
        {t("import.templateXlsx")}
      </Button>
      <Button size="xs" variant="light" leftSection={<IconDownload size={14} aria-hidden />} loading={pending === "csv"} onClick={() => void get("csv")}>
        {t("import.templateCsv")}
      </Button>
    </Group>
  );
}

/** Every problem the server found, by row and column, in the reader's language. */
export function ProblemTable({ problems }: { problems: ImportProblem[] }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const columns: Column<ImportProblem>[] = [
    {
      key: "row",
      header: t("import.row"),
      align: "right",
      width: 70,
      render: (p) => (p.row === null ? t("import.wholeFile") : formatCount(p.row, i18n.language)),
    },
    { key: "column", header: t("import.column"), render: (p) => p.column ?? "—" },
    { key: "cell", header: t("import.cell"), render: (p) => p.cell ?? "—" },
    { key: "message", header: t("import.message"), render: (p) => translateProblem(p, t) },
  ];
  return (
    <DataTable
      caption={t("import.problemsTitle", { n: problems.length })}
      columns={columns}
      rows={problems.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)}
      rowKey={(p) => `${p.row}:${p.field}:${p.cell ?? ""}:${p.message}`}
      count={problems.length}
      page={page}
      limit={PAGE_SIZE}
      onPageChange={problems.length > PAGE_SIZE ? setPage : undefined}
    />
  );
}

function Counts({ kind, result }: { kind: ImportKind; result: ImportResult }) {
  const { t, i18n } = useTranslation();
  const counts = [
    ["created", result.created],
    ["updated", result.updated],
    ["unchanged", result.unchanged],
  ] as const;
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      {counts.map(([key, value]) => (
        <Card key={key} withBorder padding="sm">
          <Text size="sm" c="dimmed">
            {t(`import.counts.${kind}.${key}`)}
          </Text>
          <Text size="xl" fw={700} data-testid={`import-${key}`}>
            {formatCount(value, i18n.language)}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

function Preview({
  kind,
  outcome,
  importing,
  onImport,
}: {
  kind: ImportKind;
  outcome: Exclude<Outcome, null>;
  importing: boolean;
  onImport: () => void;
}) {
  const { t } = useTranslation();
  const problems = outcome.step === "failed" ? importProblemsOf(outcome.error) : outcome.result.errors;
  if (outcome.step === "failed" && !problems) return <ErrorAlert error={outcome.error} />;
  if (problems && problems.length > 0) {
    return (
      <Stack>
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title={t("import.problemsTitle", { n: problems.length })} role="alert">
          {t("import.problemsHint")}
        </Alert>
        <ProblemTable problems={problems} />
      </Stack>
    );
  }
  if (outcome.step === "failed") return null;
  const { result } = outcome;
  if (outcome.step === "imported") {
    const adjustments = "adjustments" in result ? result.adjustments.length : 0;
    return (
      <Alert color="green" variant="light" icon={<IconCircleCheck size={18} aria-hidden />} title={t("import.doneTitle")} role="status">
        <Stack gap="xs">
          <Text size="sm">
            {kind === "items"
              ? t("import.itemsDone", { created: result.created, updated: result.updated })
              : t("import.stockDone", { n: adjustments })}
          </Text>
          <Group>
            <Button component={Link} to={kind === "items" ? "/items" : "/stock/adjustments"} variant="light" size="xs">
              {kind === "items" ? t("import.openItems") : t("import.openAdjustments")}
            </Button>
          </Group>
        </Stack>
      </Alert>
    );
  }
  return (
    <Stack>
      <Alert color="blue" variant="light" icon={<IconCircleCheck size={18} aria-hidden />} title={t("import.cleanTitle")} role="status">
        {t("import.cleanHint")}
      </Alert>
      <Counts kind={kind} result={result} />
      <Group>
        <Button color="green" leftSection={<IconUpload size={16} aria-hidden />} loading={importing} onClick={onImport}>
          {t("import.run")}
        </Button>
      </Group>
    </Stack>
  );
}

export function ImportPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const kind: ImportKind = params.get("kind") === "stock" ? "stock" : "items";
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>("create");
  const [reason, setReason] = useState(() => t("import.reasonDefault"));
  const [outcome, setOutcome] = useState<Outcome>(null);
  const upload = useImport();

  // Anything that changes what would be imported makes the last check stale.
  const changing = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setOutcome(null);
  };

  const run = async (dryRun: boolean) => {
    if (!file) return;
    try {
      const result = await upload.mutateAsync({ kind, file, dryRun, mode, reason: reason.trim() || t("import.reasonDefault") });
      setOutcome({ step: dryRun ? "checked" : "imported", result });
      if (!dryRun) notifications.show({ color: "green", message: t("import.doneTitle") });
    } catch (error) {
      setOutcome({ step: "failed", error });
    }
  };

  return (
    <>
      <PageHeader title={t("import.title")} description={t("import.description")} />
      <Card withBorder mb="md">
        <Stack>
          <Group justify="space-between" wrap="wrap" gap="sm">
            <SegmentedControl
              aria-label={t("import.kind")}
              value={kind}
              onChange={(value) => {
                setParams(value === "stock" ? { kind: "stock" } : {}, { replace: true });
                setFile(null);
                setOutcome(null);
              }}
              data={(["items", "stock"] as const).map((value) => ({ value, label: t(`import.kinds.${value}`) }))}
            />
            <Templates kind={kind} />
          </Group>
          <Text size="sm" c="dimmed">
            {kind === "items" ? t("import.itemsHelp") : t("import.stockHelp")}
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <FileInput
              label={t("import.file")}
              placeholder={t("import.filePlaceholder")}
              description={t("import.fileHint")}
              accept={ACCEPT}
              clearable
              leftSection={<IconFileUpload size={16} aria-hidden />}
              value={file}
              onChange={changing(setFile)}
            />
            {kind === "items" ? (
              <Radio.Group label={t("import.mode")} value={mode} onChange={changing((value: string) => setMode(value as ImportMode))}>
                <Stack gap={6} mt={6}>
                  <Radio value="create" label={t("import.modes.create")} />
                  <Radio value="upsert" label={t("import.modes.upsert")} />
                </Stack>
              </Radio.Group>
            ) : (
              <TextInput
                label={t("import.reason")}
                value={reason}
                onChange={(event) => changing(setReason)(event.currentTarget.value)}
                maxLength={500}
              />
            )}
          </SimpleGrid>
          <Group>
            <Button
              variant={outcome?.step === "checked" ? "default" : "filled"}
              disabled={!file}
              loading={upload.isPending && upload.variables?.dryRun}
              onClick={() => void run(true)}
            >
              {t("import.check")}
            </Button>
            <Text size="sm" c="dimmed">
              {t("import.checkHint")}
            </Text>
          </Group>
        </Stack>
      </Card>
      {outcome ? (
        <Preview kind={kind} outcome={outcome} importing={upload.isPending && !upload.variables?.dryRun} onImport={() => void run(false)} />
      ) : null}
    </>
  );
}
