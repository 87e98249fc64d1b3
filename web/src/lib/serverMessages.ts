// The server writes its messages in English. An `errors[]` entry (a field's or an import row's
// problem) also carries a stable `code` and the values its message names (`params`): those are
// what the UI translates. A problem's `detail` has no code of its own, so the details the UI
// knows are still recognised by their text. The locales decide what an unknown one becomes
// (English shows the server's text, Korean a sentence of its own).
import type { TFunction } from "i18next";
import type { FieldError } from "../api/client";
import type { en } from "./locales/en";

type ServerKey = keyof (typeof en)["server"];
type Params = Record<string, string>;
type Values = Record<string, string | number>;
type CodeRule = readonly [ServerKey, ((values: Values) => Params)?];

/** One `errors[]` entry: a field's problem or an import row's. */
export type ServerProblem = Pick<FieldError, "field" | "code" | "message" | "params">;

const shown = (value: string | number | undefined) =>
  typeof value === "number" ? value.toLocaleString("en-US") : (value ?? "");

/** The entry's values under the names the sentence uses: `as({ limit: "ge" })`. */
const as =
  (names: Record<string, string>) =>
  (values: Values): Params =>
    Object.fromEntries(Object.entries(names).map(([to, from]) => [to, shown(values[from])]));
const same = (...names: string[]) => as(Object.fromEntries(names.map((name) => [name, name])));

const NUMBER: CodeRule = ["number"];
const UUID: CodeRule = ["uuid"];
const BOOLEAN: CodeRule = ["boolean"];
const DATETIME: CodeRule = ["datetime"];
const ONE_OF: CodeRule = ["oneOf", as({ options: "expected" })];

// The codes of docs/api.md ("Errors" and the import problems) and Pydantic's error types.
const CODES: Record<string, CodeRule> = {
  // the services' field errors
  taken: ["taken"],
  unknown_engine: ["unknownEngine"],
  no_active_warehouse: ["noActiveWarehouse"],
  no_active_item: ["noActiveItem"],
  item_twice: ["itemTwice"],
  line_count: ["lineCount", same("max")],
  only_available: ["onlyAvailable", same("available", "requested")],
  below_reserved: ["reserved", same("reserved")],
  same_warehouse: ["sameWarehouse"],
  does_not_match: ["doesNotMatch"],
  not_in_future: ["notInFuture"],
  password_too_short: ["passwordShort", same("min")],
  password_too_long: ["passwordLong", same("max")],
  password_common: ["passwordCommon"],
  password_is_email: ["passwordEmail"],
  one_of: ["oneOf", same("options")],
  not_a_version: ["notAVersion"],
  not_a_cursor: ["notACursor"],
  option_conflict: ["optionConflict", same("option")],
  url_scheme: ["urlScheme"],
  url_unresolved: ["urlUnresolved", same("host")],
  url_internal: ["urlInternal", same("host")],
  // Pydantic's request validation
  missing: ["required"],
  extra_forbidden: ["unknownField"],
  greater_than_equal: ["gte", as({ limit: "ge" })],
  greater_than: ["gt", as({ limit: "gt" })],
  less_than_equal: ["lte", as({ limit: "le" })],
  less_than: ["lt", as({ limit: "lt" })],
  string_too_short: ["minLength", as({ n: "min_length" })],
  string_too_long: ["maxLength", as({ n: "max_length" })],
  too_short: ["listMin", as({ n: "min_length" })],
  decimal_max_places: ["places", as({ n: "decimal_places" })],
  decimal_max_digits: ["digits", as({ n: "max_digits" })],
  decimal_whole_digits: ["digits", as({ n: "whole_digits" })],
  decimal_parsing: NUMBER,
  decimal_type: NUMBER,
  float_parsing: NUMBER,
  float_type: NUMBER,
  int_parsing: NUMBER,
  int_type: NUMBER,
  int_from_float: NUMBER,
  finite_number: NUMBER,
  uuid_parsing: UUID,
  uuid_type: UUID,
  bool_parsing: BOOLEAN,
  bool_type: BOOLEAN,
  datetime_parsing: DATETIME,
  datetime_type: DATETIME,
  datetime_from_date_parsing: DATETIME,
  date_parsing: DATETIME,
  date_type: DATETIME,
  date_from_datetime_parsing: DATETIME,
  timezone_aware: DATETIME,
  enum: ONE_OF,
  literal_error: ONE_OF,
  string_pattern_mismatch: ["pattern"],
  // import cells, rows and header
  text_expected: ["importText", same("got")],
  too_long: ["importTooLong", same("max", "length")],
  negative: ["importNegative", same("got")],
  formula: ["importFormula", same("got")],
  number_expected: ["importNumber", same("places", "digits", "got")],
  boolean_expected: ["importBoolean", same("got")],
  sku_twice: ["importSkuTwice", same("sku", "row")],
  sku_exists: ["importExists", same("sku")],
  barcode_twice: ["importBarcodeTwice", same("barcode", "row")],
  barcode_taken: ["importBarcodeTaken", same("barcode", "sku")],
  unknown_sku: ["importNoItem", same("sku")],
  item_inactive: ["importItemInactive", same("sku")],
  warehouse_inactive: ["importWarehouseInactive", same("code")],
  count_twice: ["importCountTwice", same("sku", "code", "row")],
  more_problems: ["importMore", same("n")],
  unknown_column: ["importUnknownColumn", same("expected")],
  column_twice: ["importColumnTwice", same("column", "first")],
  missing_column: ["importMissingColumn"],
  unheaded: ["importUnheaded", same("got", "column")],
  // the file as a whole
  file_empty: ["fileEmpty"],
  file_type: ["fileType", same("suffix")],
  file_not_spreadsheet: ["fileNotSpreadsheet"],
  file_encrypted: ["fileEncrypted"],
  file_no_sheet: ["fileNoSheet"],
  file_utf16: ["fileUtf16"],
  file_not_utf8: ["fileNotUtf8"],
  file_bad_csv_row: ["fileBadCsvRow", same("row")],
  file_too_many_rows: ["fileTooManyRows", same("max")],
  file_too_many_columns: ["fileTooManyColumns", same("max")],
  file_refused: ["fileRefused"],
};

// Codes whose sentence depends on the field: an import cell names its column.
const BY_FIELD: Record<string, Record<string, ServerKey>> = {
  required: { sku: "importSku", name: "importName", warehouse_code: "importWarehouse", counted_quantity: "importCount" },
  unknown_code: { engine_code: "importNoEngine", warehouse_code: "importNoWarehouse" },
  below_reserved: { counted_quantity: "importBelowReserved" },
};

const STATUSES = ["draft", "approved", "committed", "cancelled"] as const;
type DetailRule = readonly [RegExp, ServerKey, ((match: RegExpMatchArray, t: TFunction) => Params)?];

// Problem details (no code of their own beside the problem's), most specific first.
const DETAILS: readonly DetailRule[] = [
  [/^The last active admin cannot be demoted or deactivated\.$/, "lastAdmin"],
  [/^The last active admin cannot be deleted\.$/, "lastAdmin"],
  [/^The password does not meet the policy\.$/, "passwordPolicy"],
  [/^A user with this email exists\.$/, "emailTaken"],
  [/^Items still belong to this engine/, "engineInUse"],
  [/^The item has stock moves; deactivate it instead\.$/, "itemHasMoves"],
  [/^The warehouse holds stock or documents/, "warehouseInUse"],
  [
    /^Cannot \w+ a document that is (\w+)\.$/,
    "documentInStatus",
    (m, t) => ({ status: (STATUSES as readonly string[]).includes(m[1]) ? t(`status.${m[1] as (typeof STATUSES)[number]}`) : m[1] }),
  ],
  [/^(\S+) already has a reversal\.$/, "alreadyReversed", (m) => ({ number: m[1] })],
  [/^The alert closed itself; stock has recovered\.$/, "alertClosed"],
  [/^A count may not go below reserved stock\.$/, "countBelowReserved"],
  [/^The reservation to release is no longer there\.$/, "reservationGone"],
  [/^The file has (\d+) problem\(s\); nothing was imported\.$/, "importRejected", (m) => ({ n: m[1] })],
  [/^The database is busy; try again\.$/, "busy"],
];

// The keys are checked where the tables name them; i18next's typing cannot follow a union.
const say = (t: TFunction, key: ServerKey, params?: Params) =>
  (t as (key: string, options?: Params) => string)(`server.${key}`, params);

/** The reader's-language version of a problem's `detail`, or null when it is not known. */
export function translateServerText(text: string, t: TFunction): string | null {
  const trimmed = text.trim();
  for (const [pattern, key, params] of DETAILS) {
    const match = trimmed.match(pattern);
    if (match) return say(t, key, params?.(match, t));
  }
  return null;
}

/** An `errors[]` entry in the reader's language, by its code; null when the code is not known. */
export function knownProblem(problem: ServerProblem, t: TFunction): string | null {
  const code = problem.code ?? "";
  const byField = Object.hasOwn(BY_FIELD, code) ? BY_FIELD[code][problem.field] : undefined;
  const rule = Object.hasOwn(CODES, code) ? CODES[code] : undefined;
  const key = byField ?? rule?.[0];
  if (!key) return null;
  const values = problem.params ?? {};
  return say(t, key, rule?.[1] ? rule[1](values) : same(...Object.keys(values))(values));
}

/** A field or row problem from the server, always in the reader's language. */
export function translateProblem(problem: ServerProblem, t: TFunction): string {
  return knownProblem(problem, t) ?? t("server.unknownMessage", { message: problem.message });
}

const FIELD_LABELS = {
  sku: "items.sku",
  name: "items.name",
  barcode: "items.barcode",
  unit: "items.unit",
  unit_cost: "items.unitCost",
  reorder_point: "items.reorderPoint",
  engine_id: "items.engine",
  engine_code: "items.engine",
  code: "engines.code",
  email: "users.email",
  password: "users.password",
  new_password: "users.newPassword",
  role: "users.role",
  active: "users.active",
  expires_at: "apiKeys.expiresAt",
  warehouse_id: "stock.warehouse",
  warehouse_code: "stock.warehouse",
  from_warehouse_id: "stock.fromWarehouse",
  to_warehouse_id: "stock.toWarehouse",
  counted_quantity: "stock.countedQuantity",
  quantity: "lines.quantity",
  item_id: "lines.item",
  lines: "lines.title",
  reason: "stock.reason",
  file: "import.file",
} as const;

function labelKey(name: string) {
  return Object.hasOwn(FIELD_LABELS, name) ? FIELD_LABELS[name as keyof typeof FIELD_LABELS] : null;
}

/** A field path the server named (`sku`, `lines[0].quantity`) as the form calls it. */
export function fieldLabel(field: string, t: TFunction): string {
  const line = field.match(/^lines\[(\d+)\]\.(\w+)$/);
  if (line) {
    const key = labelKey(line[2]);
    return t("lines.quantityOfLine", { label: key ? t(key) : line[2], line: Number(line[1]) + 1 });
  }
  const key = labelKey(field);
  return key ? t(key) : field;
}
