// The server writes its messages (problem `detail`, field and import-row `message`) in English.
// These are the ones the UI knows how to say in the reader's language; the locales decide what
// an unknown one becomes (English shows the server's text, Korean a sentence of its own).
import type { TFunction } from "i18next";
import type { en } from "./locales/en";

type ServerKey = keyof (typeof en)["server"];
type Params = Record<string, string>;
type Rule = readonly [RegExp, ServerKey, ((match: RegExpMatchArray, t: TFunction) => Params)?];

const STATUSES = ["draft", "approved", "committed", "cancelled"] as const;
const NUMBER_CELL = String.raw`Expected a number >= 0 with at most \d+ decimal places and \d+ integer digits`;

// Most specific first: the first rule that matches wins.
const RULES: readonly Rule[] = [
  // field messages of the domain
  [/^Already taken\.$/, "taken"],
  [/^Field required$/i, "required"],
  [/^No engine with this id\.$/, "unknownEngine"],
  [/^No active warehouse with this id\.$/, "noActiveWarehouse"],
  [/^No active item\.$/, "noActiveItem"],
  [/^Item listed twice\.$/, "itemTwice"],
  [/^Give 1 to (\d+) lines\.$/, "lineCount", (m) => ({ max: m[1] })],
  [/^Only (\S+) available, (\S+) requested\.$/, "onlyAvailable", (m) => ({ available: m[1], requested: m[2] })],
  [/^(\S+) is reserved for approved shipments\.$/, "reserved", (m) => ({ reserved: m[1] })],
  [/^Same as from_warehouse_id\.$/, "sameWarehouse"],
  [/^Does not match\.$/, "doesNotMatch"],
  [/^Unknown or read-only field\.$/, "unknownField"],
  [/^Use at least (\d+) characters\.$/, "passwordShort", (m) => ({ min: m[1] })],
  [/^Use at most (\d+) characters\.$/, "passwordLong", (m) => ({ max: m[1] })],
  [/^This password is one of the most common ones/, "passwordCommon"],
  [/^The password must not be your email\.$/, "passwordEmail"],
  [/^Use one of: (.+)\.$/, "oneOf", (m) => ({ options: m[1] })],
  // Pydantic's request validation
  [/^Input should be greater than or equal to (\S+)$/, "gte", (m) => ({ limit: m[1] })],
  [/^Input should be greater than (\S+)$/, "gt", (m) => ({ limit: m[1] })],
  [/^Input should be less than or equal to (\S+)$/, "lte", (m) => ({ limit: m[1] })],
  [/^Input should be less than (\S+)$/, "lt", (m) => ({ limit: m[1] })],
  [/^String should have at least (\d+) characters?$/, "minLength", (m) => ({ n: m[1] })],
  [/^String should have at most (\d+) characters?$/, "maxLength", (m) => ({ n: m[1] })],
  [/^Input should be a valid (number|decimal|integer)/, "number"],
  [/^Decimal input should have no more than (\d+) decimal places?/, "places", (m) => ({ n: m[1] })],
  [/^Decimal input should have no more than (\d+) digits?/, "digits", (m) => ({ n: m[1] })],
  [/^Input should be a valid UUID/, "uuid"],
  [/^Input should be a valid boolean/, "boolean"],
  [/^Input should be a valid (datetime|date)/, "datetime"],
  [/^Input should be ('[^']*'(?:(?:, | or )'[^']*')*)$/, "oneOf", (m) => ({ options: m[1] })],
  [/^String should match pattern/, "pattern"],
  [/^List should have at least (\d+) items?/, "listMin", (m) => ({ n: m[1] })],
  // problem details
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
  // import rows
  [/^Required: the item's SKU/, "importSku"],
  [/^Required(?: for a new item)?: a name/, "importName"],
  [/^Required: the warehouse code\.$/, "importWarehouse"],
  [/^Required: the counted quantity/, "importCount"],
  [/^Expected text, got (.+)\.$/, "importText", (m) => ({ got: m[1] })],
  [/^Expected at most (\d+) characters, got (\d+)\.$/, "importTooLong", (m) => ({ max: m[1], length: m[2] })],
  [new RegExp(`^${NUMBER_CELL}, got a negative number \\((.+)\\)\\.$`), "importNegative", (m) => ({ got: m[1] })],
  [new RegExp(`^${NUMBER_CELL}, got (.+) \\(formulas are not evaluated\\)\\.$`), "importFormula", (m) => ({ got: m[1] })],
  [
    /^Expected a number >= 0 with at most (\d+) decimal places and (\d+) integer digits, got (.+)\.$/,
    "importNumber",
    (m) => ({ places: m[1], digits: m[2], got: m[3] }),
  ],
  [/^Expected TRUE or FALSE .*, got (.+)\.$/, "importBoolean", (m) => ({ got: m[1] })],
  [/^(.+) is also on row (\d+); list each SKU once\.$/, "importSkuTwice", (m) => ({ sku: m[1], row: m[2] })],
  [/^(.+) already exists; import with mode=upsert/, "importExists", (m) => ({ sku: m[1] })],
  [/^No engine with code (.+)\.$/, "importNoEngine", (m) => ({ code: m[1] })],
  [/^(.+) is also on row (\d+); barcodes are unique\.$/, "importBarcodeTwice", (m) => ({ barcode: m[1], row: m[2] })],
  [/^(.+) already belongs to SKU (.+)\.$/, "importBarcodeTaken", (m) => ({ barcode: m[1], sku: m[2] })],
  [/^No item with SKU (.+)\.$/, "importNoItem", (m) => ({ sku: m[1] })],
  [/^(.+) is inactive; activate it before counting it\.$/, "importItemInactive", (m) => ({ sku: m[1] })],
  [/^No warehouse with code (.+)\.$/, "importNoWarehouse", (m) => ({ code: m[1] })],
  [/^Warehouse (.+) is inactive\.$/, "importWarehouseInactive", (m) => ({ code: m[1] })],
  [
    /^(.+) in (.+) is also on row (\d+); count each item once per warehouse\.$/,
    "importCountTwice",
    (m) => ({ sku: m[1], code: m[2], row: m[3] }),
  ],
  [/^(.+) is reserved for approved shipments; the count cannot be lower\.$/, "importBelowReserved", (m) => ({ reserved: m[1] })],
  [/^… and (\d+) more problem\(s\) not listed\.$/, "importMore", (m) => ({ n: m[1] })],
  [/^Unknown column\. Expected columns: (.+)\.$/, "importUnknownColumn", (m) => ({ expected: m[1] })],
  [/^(.+) appears twice \(also in column ([A-Z]+)\)\.$/, "importColumnTwice", (m) => ({ column: m[1], first: m[2] })],
  [/^Missing required column\.$/, "importMissingColumn"],
  // the file as a whole
  [/^The file is empty\.$/, "fileEmpty"],
  [/^The file has no header row and no data\.$/, "fileEmpty"],
  [/^(\S+) files are not supported/, "fileType", (m) => ({ suffix: m[1] })],
  [/^The CSV file is UTF-16/, "fileUtf16"],
  [/^The CSV file is not UTF-8 text/, "fileNotUtf8"],
  [/^Encrypted workbooks are not supported\.$/, "fileEncrypted"],
  [/^The workbook has no worksheet\.$/, "fileNoSheet"],
  [/^The (?:file|sheet) has more than ([\d,]+) (?:data )?rows/, "fileTooManyRows", (m) => ({ max: m[1] })],
  [/more than (\d+) columns\.$/, "fileTooManyColumns", (m) => ({ max: m[1] })],
  [/^Row (\d+) is not valid CSV/, "fileBadCsvRow", (m) => ({ row: m[1] })],
  [
    /^The file is (?:.+, not an \.xlsx workbook or a CSV file|named as an? .+ but .+|a zip archive but not an \.xlsx workbook|not a readable \.xlsx workbook)\.$/,
    "fileNotSpreadsheet",
  ],
  [/expands to more than|compressed more than|has more than \d+ parts|unsupported compression|XML is not UTF-8/, "fileRefused"],
];

/** The reader's-language version of a sentence the server wrote, or null when it is not known. */
export function translateServerText(text: string, t: TFunction): string | null {
  const trimmed = text.trim();
  for (const [pattern, key, params] of RULES) {
    const match = trimmed.match(pattern);
    // The keys are checked where the rules name them; i18next's typing cannot follow a union.
    if (match) return (t as (key: string, options?: Params) => string)(`server.${key}`, params?.(match, t));
  }
  return null;
}

/** A field or row message from the server, always in the reader's language. */
export function translateFieldMessage(message: string, t: TFunction): string {
  return translateServerText(message, t) ?? t("server.unknownMessage", { message });
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
