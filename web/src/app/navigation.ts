import {
  IconAlertTriangle,
  IconArrowsExchange,
  IconBox,
  IconBuildingFactory2,
  IconCalendarTime,
  IconClipboardCheck,
  IconFileImport,
  IconHistory,
  IconKey,
  IconGauge,
  IconListDetails,
  IconPackageExport,
  IconPackageImport,
  IconStack2,
  IconUsers,
  type Icon,
} from "@tabler/icons-react";
import type { Role } from "./auth";

export interface NavEntry {
  to: string;
  /** A key under `nav.` in the translations. */
  label:
    | "dashboard"
    | "engines"
    | "items"
    | "stock"
    | "stockAsOf"
    | "ledger"
    | "adjustments"
    | "transfers"
    | "alerts"
    | "inbounds"
    | "outbounds"
    | "import"
    | "audit"
    | "users"
    | "apiKeys";
  icon: Icon;
  minRole?: Role;
  end?: boolean;
}

export interface NavGroup {
  label: "catalog" | "inventory" | "documents" | "admin" | null;
  entries: NavEntry[];
}

// Entries with a minimum role are hidden below it (their routes say so too: RequireRole).
export const NAVIGATION: NavGroup[] = [
  { label: null, entries: [{ to: "/", label: "dashboard", icon: IconGauge, end: true }] },
  {
    label: "catalog",
    entries: [
      { to: "/engines", label: "engines", icon: IconBuildingFactory2 },
      { to: "/items", label: "items", icon: IconBox },
    ],
  },
  {
    label: "inventory",
    entries: [
      { to: "/stock", label: "stock", icon: IconStack2, end: true },
      { to: "/stock/as-of", label: "stockAsOf", icon: IconCalendarTime },
      { to: "/stock/moves", label: "ledger", icon: IconListDetails },
      { to: "/stock/adjustments", label: "adjustments", icon: IconClipboardCheck },
      { to: "/stock/transfers", label: "transfers", icon: IconArrowsExchange },
      { to: "/alerts", label: "alerts", icon: IconAlertTriangle },
    ],
  },
  {
    label: "documents",
    entries: [
      { to: "/inbounds", label: "inbounds", icon: IconPackageImport },
      { to: "/outbounds", label: "outbounds", icon: IconPackageExport },
    ],
  },
  {
    label: "admin",
    entries: [
      { to: "/import", label: "import", icon: IconFileImport, minRole: "manager" },
      { to: "/audit", label: "audit", icon: IconHistory, minRole: "manager" },
      { to: "/users", label: "users", icon: IconUsers, minRole: "admin" },
      { to: "/api-keys", label: "apiKeys", icon: IconKey, minRole: "admin" },
    ],
  },
];
