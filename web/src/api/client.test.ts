import { api, session, unwrap } from "./client";
import { json, mockFetch } from "../test/render";

const PAGE = { data: [], count: 0, page: 1, limit: 25 };

describe("the API client's session", () => {
  beforeEach(() => {
    session.clear();
    vi.unstubAllGlobals();
  });

  it("refreshes an expired access token once and retries the request", async () => {
    session.setPair({ access_token: "old-access", refresh_token: "refresh-1", expires_in: 900 });
    const seen: string[] = [];
    const { calls } = mockFetch((request, url) => {
      if (url.pathname === "/api/v1/auth/refresh") {
        return json({ access_token: "new-access", refresh_token: "refresh-2", token_type: "bearer", expires_in: 900 });
      }
      const auth = request.headers.get("Authorization") ?? "";
      seen.push(auth);
      return auth === "Bearer new-access"
        ? json(PAGE)
        : json({ title: "Authentication required", status: 401, code: "unauthorized" }, 401);
    });

    await expect(unwrap(api.GET("/api/v1/items", {}))).resolves.toEqual(PAGE);
    expect(seen).toEqual(["Bearer old-access", "Bearer new-access"]);
    const refreshes = calls.filter((call) => call.url.pathname === "/api/v1/auth/refresh");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].body).toEqual({ refresh_token: "refresh-1" });
    expect(session.refreshToken()).toBe("refresh-2");
  });

  it("ends the session when the refresh token is refused", async () => {
    session.setPair({ access_token: "old-access", refresh_token: "revoked", expires_in: 900 });
    const signedOut = vi.fn();
    const unsubscribe = session.subscribe((signedIn) => !signedIn && signedOut());
    mockFetch((_request, url) =>
      url.pathname === "/api/v1/auth/refresh"
        ? json({ title: "Authentication required", status: 401, code: "unauthorized" }, 401)
        : json({ title: "Authentication required", status: 401, code: "unauthorized" }, 401),
    );

    await expect(unwrap(api.GET("/api/v1/items", {}))).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    expect(session.isSignedIn()).toBe(false);
    expect(session.refreshToken()).toBeNull();
    expect(signedOut).toHaveBeenCalled();
    unsubscribe();
  });

  it("spends a refresh token only once when requests race", async () => {
    session.setPair({ access_token: "a", refresh_token: "r1", expires_in: 1 }); // about to expire
    const { calls } = mockFetch((_request, url) =>
      url.pathname === "/api/v1/auth/refresh"
        ? json({ access_token: "b", refresh_token: "r2", token_type: "bearer", expires_in: 900 })
        : json(PAGE),
    );
    await Promise.all([unwrap(api.GET("/api/v1/items", {})), unwrap(api.GET("/api/v1/engines", {}))]);
    expect(calls.filter((call) => call.url.pathname === "/api/v1/auth/refresh")).toHaveLength(1);
  });
});
