// The one way the UI talks to the server: base URL, bearer auth with refresh-token rotation,
// and problem+json errors turned into ApiError.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema";

export type Schemas = components["schemas"];

const REFRESH_KEY = "erp.refresh_token";
const REFRESH_MARGIN_MS = 30_000;

export const baseUrl: string =
  import.meta.env.VITE_API_BASE_URL ?? (typeof window !== "undefined" ? window.location.origin : "");

/**
 * One entry of a problem's `errors`: `code` and `params` say what `message` says in English
 * (docs/api.md); `insufficient_stock` adds the quantities.
 */
export interface FieldError {
  field: string;
  code?: string;
  message: string;
  params?: Record<string, string | number>;
  item_id?: string;
  warehouse_id?: string;
  requested?: number | string;
  available?: number | string;
}

interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(status: number, body: ProblemBody) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code ?? (status === 0 ? "network_error" : "error");
    this.title = body.title ?? "";
    this.detail = body.detail ?? "";
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }

  /** Field errors keyed by field path (`sku`, `lines[0].quantity`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.errors) out[error.field] = error.message;
    return out;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

// --- the session: access token in memory, refresh token in localStorage ---------------------

type Listener = (signedIn: boolean) => void;
let accessToken: string | null = null;
let accessExpiresAt = 0;
const listeners = new Set<Listener>();

function storedRefresh(): string | null {
  try {
    return window.localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

export const session = {
  hasRefreshToken: () => storedRefresh() !== null,
  isSignedIn: () => accessToken !== null,
  setPair(pair: { access_token: string; refresh_token: string; expires_in: number }) {
    accessToken = pair.access_token;
    accessExpiresAt = Date.now() + pair.expires_in * 1000;
    window.localStorage.setItem(REFRESH_KEY, pair.refresh_token);
    listeners.forEach((listener) => listener(true));
  },
  clear() {
    const wasSignedIn = accessToken !== null || storedRefresh() !== null;
    accessToken = null;
    accessExpiresAt = 0;
    window.localStorage.removeItem(REFRESH_KEY);
    if (wasSignedIn) listeners.forEach((listener) => listener(false));
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  refreshToken: storedRefresh,
};

let refreshing: Promise<boolean> | null = null;

/** Trade the refresh token for a new pair; one request at a time (tokens rotate). */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing;
  const token = storedRefresh();
  if (!token) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const response = await fetch(`${baseUrl}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (!response.ok) {
        if (response.status === 401 || response.status === 422) session.clear();
        return false;
      }
      session.setPair(await response.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function authorize(request: Request): Request {
  if (accessToken) request.headers.set("Authorization", `Bearer ${accessToken}`);
  return request;
}

const PUBLIC_PATHS = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/healthz"];

async function fetchWithAuth(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (PUBLIC_PATHS.some((p) => path.endsWith(p))) return fetch(request);
  if (storedRefresh() && (!accessToken || Date.now() > accessExpiresAt - REFRESH_MARGIN_MS)) {
    await refreshSession();
  }
  const retry = request.clone();
  const response = await fetch(authorize(request));
  if (response.status !== 401 || !storedRefresh()) return response;
  if (!(await refreshSession())) return response;
  return fetch(authorize(retry));
}

export const api = createClient<paths>({
  baseUrl,
  fetch: (request: Request) => fetchWithAuth(request),
  querySerializer: { array: { style: "form", explode: true } },
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await an openapi-fetch call: the data, or an ApiError carrying the problem+json body. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, { code: "network_error", detail: String(error) });
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = (error && typeof error === "object" ? error : {}) as ProblemBody;
    if (response.status === 401) session.clear();
    throw new ApiError(response.status, body);
  }
  return data as T;
}

export async function login(email: string, password: string): Promise<void> {
  const pair = await unwrap(
    api.POST("/api/v1/auth/login", { body: { email, password } as never }),
  );
  session.setPair(pair as Schemas["TokenResponse"]);
}

export async function logout(): Promise<void> {
  const token = storedRefresh();
  try {
    if (token && accessToken) {
      await api.POST("/api/v1/auth/logout", { body: { refresh_token: token } });
    }
  } finally {
    session.clear();
  }
}

/** What /healthz says about the running engine (the endpoint has no response schema). */
export interface HealthInfo {
  status: string;
  version: string;
  database_backend: string;
  engine: { name: string; commit: string; schema: string | null; env: string };
  schema_ok: boolean;
}

export async function fetchHealth(): Promise<HealthInfo> {
  const response = await fetch(`${baseUrl}/healthz`);
  return (await response.json()) as HealthInfo;
}

/** Paths that answer a spreadsheet: the exports and the import templates. */
export type FilePath = Extract<keyof paths, `${string}/export` | `${string}/import-template`>;
export type FileQuery<P extends FilePath> = NonNullable<paths[P]["get"]["parameters"]["query"]>;

export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/** The name in `Content-Disposition` (RFC 6266, `filename*` preferred), else `fallback`. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const extended = disposition?.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  const plain = disposition?.match(/filename\s*=\s*"([^"]+)"|filename\s*=\s*([^;\s]+)/);
  return plain?.[1] ?? plain?.[2] ?? fallback;
}

/**
 * GET a spreadsheet with the session's token (a plain link would carry none), as a blob and the
 * name the server gave it.
 */
export async function fetchFile<P extends FilePath>(path: P, query: FileQuery<P>): Promise<DownloadedFile> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  let response: Response;
  try {
    response = await fetchWithAuth(new Request(`${baseUrl}${path}?${search}`));
  } catch (error) {
    throw new ApiError(0, { code: "network_error", detail: String(error) });
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as ProblemBody;
    if (response.status === 401) session.clear();
    throw new ApiError(response.status, body);
  }
  const fallback = `${path.split("/").slice(-2).join("-")}.${String(query.format ?? "xlsx")}`;
  return { blob: await response.blob(), filename: filenameOf(response.headers.get("Content-Disposition"), fallback) };
}

/** `If-Match` for the version a client last saw. */
export function ifMatch(version: number): { "If-Match": string } {
  return { "If-Match": `"${version}"` };
}
