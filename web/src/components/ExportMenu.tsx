import { Button, Menu } from "@mantine/core";
import { IconChevronDown, IconDownload, IconFileSpreadsheet, IconFileText } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { fetchFile, type FilePath, type FileQuery } from "../api/client";
import { useDownload } from "../lib/download";

type ExportPath = Extract<FilePath, `${string}/export`>;
type Format = "xlsx" | "csv";

/** Download the table's rows (every page, with its current filters and sort) as xlsx or csv. */
export function ExportMenu<P extends ExportPath>({ path, query }: { path: P; query: Omit<FileQuery<P>, "format"> }) {
  const { t } = useTranslation();
  const { download, pending } = useDownload<Format>();
  const run = (format: Format) => download(format, () => fetchFile(path, { ...query, format } as FileQuery<P>));

  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden />}
          rightSection={<IconChevronDown size={14} aria-hidden />}
          loading={pending !== null}
          title={t("export.menu")}
        >
          {t("export.label")}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconFileSpreadsheet size={16} aria-hidden />} onClick={() => void run("xlsx")}>
          {t("export.xlsx")}
        </Menu.Item>
        <Menu.Item leftSection={<IconFileText size={16} aria-hidden />} onClick={() => void run("csv")}>
          {t("export.csv")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
