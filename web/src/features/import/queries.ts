import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, isApiError, unwrap, type Schemas } from "../../api/client";

export type ImportKind = "items" | "stock";
export type ImportMode = Schemas["ImportMode"];
export type ImportProblem = Schemas["ImportProblem"];
export type ImportResult = Schemas["ItemImportResult"] | Schemas["StockImportResult"];

export const TEMPLATE_PATHS = {
  items: "/api/v1/items/import-template",
  stock: "/api/v1/stock-adjustments/import-template",
} as const;

export interface ImportRequest {
  kind: ImportKind;
  file: File;
  dryRun: boolean;
  mode: ImportMode;
  reason: string;
}

/** The row problems of a refused import (or of a file that cannot be read), or null. */
export function importProblemsOf(error: unknown): ImportProblem[] | null {
  if (!isApiError(error) || error.errors.length === 0) return null;
  return error.errors.every((entry) => "row" in entry) ? (error.errors as unknown as ImportProblem[]) : null;
}

/** Upload a spreadsheet: a dry run only checks it, a real import writes all of it or nothing. */
export function useImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ kind, file, dryRun, mode, reason }: ImportRequest): Promise<ImportResult> => {
      // multipart/form-data: the browser writes the boundary, so the body goes as FormData.
      const form = new FormData();
      form.append("file", file);
      form.append("dry_run", String(dryRun));
      if (kind === "items") {
        form.append("mode", mode);
        return unwrap(api.POST("/api/v1/items/import", { body: form as unknown as Schemas["Body_import_items"] }));
      }
      form.append("reason", reason);
      return unwrap(
        api.POST("/api/v1/stock-adjustments/import", { body: form as unknown as Schemas["Body_import_stock_counts"] }),
      );
    },
    onSuccess: (result) => {
      if (result.dry_run) return;
      for (const key of ["items", "engines", "stocks", "stock-moves", "adjustments", "dashboard", "alerts", "audit", "flows"]) {
        void client.invalidateQueries({ queryKey: [key] });
      }
    },
  });
}
