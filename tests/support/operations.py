"""A real, valid request for every operation of the API, for the security tests.

`permissions.toml` says who may call each operation; `World` builds the ids those calls need
(through the API, as the manager) and `World.prepare(operation_id)` returns a request that
succeeds for a caller who is allowed. Targets that an allowed call consumes (a draft to
approve, an engine to delete, a user to delete) are made fresh for every call.

The World depends on nothing but what it makes, so tests using it need no emptied database
(`api_without_reset` saves the reset).
Fixture users are never the target of a destructive call: user operations act on throwaway
users, and `change_password` is called with a wrong current password (422) so the fixture
users' sessions survive (the successful change is tested on a throwaway user).
"""

from __future__ import annotations

import contextlib
import itertools
import tomllib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from erp_engine.audit.model import AuditEntry
from erp_engine.identity.model import RefreshToken, User
from erp_engine.identity.passwords import hash_password
from erp_engine.identity.service import create_api_key
from erp_engine.identity.tokens import issue_access_token, new_refresh_token
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import SYSTEM
from erp_engine.kernel.roles import Role
from erp_engine.uow import UnitOfWork
from tests.support.api import Api

PERMISSIONS_FILE = Path(__file__).resolve().parents[1] / "api" / "permissions.toml"
ANONYMOUS = "anonymous"
PUBLIC = "public"
PRINCIPALS = (ANONYMOUS, *(str(role) for role in Role))
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
THROWAWAY_PASSWORD = "throwaway-horse-battery-7"
_counter = itertools.count(1)


@cache
def permissions() -> dict[str, Any]:
    with PERMISSIONS_FILE.open("rb") as file:
        return tomllib.load(file)


def allowed(rule: dict[str, Any], principal: str) -> bool:
    """Whether `principal` ("anonymous" or a role) may call an operation with `rule`."""
    if rule["min"] == PUBLIC:
        return True
    return principal != ANONYMOUS and Role(principal).at_least(Role(rule["min"]))


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    has_body: bool
    json_body: bool  # the body may be JSON (not only a multipart upload)


def schema_operations(app) -> dict[str, Operation]:
    """Every operation of the OpenAPI document, by operation id."""
    operations = {}
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            operations[operation["operationId"]] = Operation(
                operation["operationId"],
                method.upper(),
                path,
                "requestBody" in operation,
                "application/json" in content,
            )
    return operations


@cache
def documented_operations() -> dict[str, Operation]:
    """The OpenAPI document's operations, at collection time (from an app that never connects)."""
    from erp_engine.api.app import create_app
    from erp_engine.settings import Settings

    return schema_operations(
        create_app(Settings(_env_file=None, database_url="sqlite+aiosqlite:///:memory:"))
    )


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str | None  # the operation this route answers for (twins and aliases)
    name: str


def served_routes(app) -> list[Route]:
    """Every (method, path) the app serves, HEAD aside; mounts appear as `MOUNT <path>`."""
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path
        methods = getattr(context, "methods", None)
        if methods is None:  # a mounted static directory
            routes.append(Route("MOUNT", path, None, context.name))
            continue
        operation_id = route.operation_id if isinstance(route, APIRoute) else None
        if operation_id:
            operation_id = operation_id.removesuffix("_slash")
        for method in sorted(methods - {"HEAD"}):
            routes.append(Route(method, path, operation_id, context.name))
    return routes


def variants(app, operation: Operation) -> list[str]:
    """The operation's path, then every other path serving it (trailing slash, aliases)."""
    others = sorted(
        r.path
        for r in served_routes(app)
        if r.operation_id == operation.id
        and r.method == operation.method
        and r.path != operation.path
    )
    return [operation.path, *others]


@dataclass
class Prepared:
    """One call: path parameters, body and query; what an allowed caller gets back."""

    path_params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None  # a multipart upload (with `data` as its form fields)
    data: dict[str, Any] | None = None
    expect: int = 200
    headers: dict[str, str] | None = None  # replaces the principal's credentials
    actor_id: uuid.UUID | None = None  # whom the audit trail names, when not the caller

    def url(self, template: str) -> str:
        return template.format(**self.path_params)

    async def send(
        self, client, method: str, template: str, headers: dict[str, str]
    ) -> httpx.Response:
        """Make this call on `template` (the documented path, a twin or an alias)."""
        body: dict[str, Any] = {}
        if self.json is not None:
            body["json"] = self.json
        if self.files is not None:
            body.update(files=self.files, data=self.data)
        return await client.request(
            method, self.url(template), headers=headers, params=self.params, **body
        )


@contextlib.asynccontextmanager
async def api_without_reset(app, tokens) -> AsyncIterator[Api]:
    """conftest's `api`, without emptying the database first (tests that look only at what
    they made themselves; users are never reset anyway)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, tokens)


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


@dataclass
class Throwaway:
    id: uuid.UUID
    email: str
    role: Role
    password: str


async def throwaway_user(
    app, role: Role = Role.VIEWER, *, password: str = THROWAWAY_PASSWORD, active: bool = True
) -> Throwaway:
    """A user the test may demote, deactivate or delete (the fixture users are shared)."""
    email = f"throwaway-{uuid.uuid4().hex[:12]}@test.example"
    user = User(
        id=uuid.uuid4(),
        email=email,
        name=f"Throwaway {role}",
        role=role,
        password_hash=_password_hash(password),
        active=active,
    )
    async with UnitOfWork(app.state.write_sessions) as uow:
        uow.users.add(user)
        await uow.commit()
    return Throwaway(user.id, email, Role(role), password)


async def access_token(app, user_id: uuid.UUID) -> str:
    """A valid access token for `user_id` as it is now (no password check, no argon2)."""
    async with app.state.read_sessions() as session:
        user = await session.get(User, user_id)
        return issue_access_token(user.id, user.token_version, app.state.settings)


async def refresh_token(app, user_id: uuid.UUID) -> str:
    """A valid refresh token for `user_id`, as a login would have issued it."""
    secret, digest = new_refresh_token()
    async with UnitOfWork(app.state.write_sessions) as uow:
        uow.refresh_tokens.add(
            RefreshToken(
                user_id=user_id,
                family_id=uuid.uuid4(),
                token_hash=digest,
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        await uow.commit()
    return secret


async def audit_rows(app, request_id: str) -> list[AuditEntry]:
    async with app.state.read_sessions() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.request_id == request_id)
            .order_by(AuditEntry.created_at)
        )
        return list(rows)


Builder = Callable[["World"], Awaitable[Prepared]]
BUILDERS: dict[str, Builder] = {}


def builder(*operation_ids: str):
    def register(function: Builder) -> Builder:
        for operation_id in operation_ids:
            BUILDERS[operation_id] = function
        return function

    return register


class World:
    """Real ids for every path parameter, made on demand through the API as the manager."""

    def __init__(self, api: Api, app):
        self.api = api
        self.app = app
        self._cache: dict[str, Any] = {}

    async def _once(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._cache:
            self._cache[key] = await make()
        return self._cache[key]

    async def prepare(self, operation_id: str) -> Prepared:
        try:
            build = BUILDERS[operation_id]
        except KeyError:
            raise AssertionError(
                f"tests/support/operations.py has no request for {operation_id!r}: add one"
            ) from None
        return await build(self, operation_id)

    # Shared objects ------------------------------------------------------------------------

    async def home(self) -> dict:
        """The warehouse the world's stock lives in (its own, not MAIN: the matrix does not
        depend on what earlier tests left in the database)."""
        return await self._once("home", lambda: self.api.warehouse())

    async def main(self) -> str:
        return (await self.home())["id"]

    async def engine(self) -> str:
        return await self._once("engine", lambda: self.fresh_engine())

    async def warehouse(self) -> str:
        return await self._once("warehouse", lambda: self.fresh_warehouse())

    async def item(self) -> str:
        """An item with 1000 on hand at home (enough for every shipment and transfer)."""

        async def make() -> str:
            item = await self.api.item()
            await self.api.receive(item["id"], 1000, await self.main())
            return item["id"]

        return await self._once("item", make)

    async def adjustment(self) -> str:
        async def make() -> str:
            body = (await self.prepare("create_stock_adjustment")).json
            return (await self.api.ok("POST", "/api/v1/stock-adjustments", 201, json=body))["id"]

        return await self._once("adjustment", make)

    async def transfer(self) -> str:
        async def make() -> str:
            body = (await self.prepare("create_transfer")).json
            return (await self.api.ok("POST", "/api/v1/transfers", 201, json=body))["id"]

        return await self._once("transfer", make)

    async def draft(self, kind: str) -> str:
        return await self._once(f"draft-{kind}", lambda: self.fresh_document(kind, "draft"))

    async def alert(self) -> str:
        """An open low-stock alert (an item received below its reorder point)."""

        async def make() -> str:
            item = await self.api.item(reorder_point=10)
            await self.api.receive(item["id"], 1, await self.main())
            page = await self.api.ok("GET", "/api/v1/alerts", params={"item_id": item["id"]})
            return page["data"][0]["id"]

        return await self._once("alert", make)

    async def user(self) -> Throwaway:
        return await self._once("user", lambda: throwaway_user(self.app))

    async def api_key(self) -> str:
        return await self._once("api_key", lambda: self.fresh_api_key())

    async def webhook(self) -> str:
        return await self._once("webhook", lambda: self.fresh_webhook())

    # Fresh objects, one per call -------------------------------------------------------------

    async def fresh_engine(self) -> str:
        return (await self.api.engine())["id"]

    async def fresh_warehouse(self) -> str:
        return (await self.api.warehouse())["id"]

    async def fresh_item(self) -> str:
        return (await self.api.item())["id"]

    async def fresh_document(self, kind: str, state: str, role: Role = Role.MANAGER) -> str:
        """A manager's document of `kind` in `state` (draft, approved or committed)."""
        doc = await self.api.document(kind, await self.main(), [(await self.item(), 1)], role=role)
        if state in ("approved", "committed"):
            await self.api.act(kind, doc["id"], "approve")
        if state == "committed":
            await self.api.act(kind, doc["id"], "commit")
        return doc["id"]

    async def fresh_webhook(self) -> str:
        body = (await self.prepare("create_webhook")).json
        return (await self.api.ok("POST", "/api/v1/webhooks", 201, json=body, role=Role.ADMIN))[
            "id"
        ]

    async def fresh_api_key(self) -> str:
        key, _ = await create_api_key(
            UnitOfWork(self.app.state.write_sessions),
            name=f"key-{next(_counter)}",
            role=Role.VIEWER,
            expires_at=None,
            actor=SYSTEM,
        )
        return str(key.id)


def _n() -> int:
    return next(_counter)


# Health ---------------------------------------------------------------------------------------


@builder(
    "healthz",
    "livez",
    "readyz",
    "get_me",
    "list_engines",
    "list_warehouses",
    "list_items",
    "list_stocks",
    "list_stock_moves",
    "list_stock_adjustments",
    "list_transfers",
    "list_inbounds",
    "list_outbounds",
    "list_flows",
    "list_users",
    "list_api_keys",
    "list_audit",
    "get_dashboard",
    "list_alerts",
    "list_events",
    "list_webhooks",
)
async def _plain(world: World, _: str) -> Prepared:
    return Prepared()


# Auth -----------------------------------------------------------------------------------------


@builder("login")
async def _login(world: World, _: str) -> Prepared:
    user = await world.user()
    return Prepared(json={"email": user.email, "password": user.password}, actor_id=user.id)


@builder("refresh_token")
async def _refresh(world: World, _: str) -> Prepared:
    user = await world.user()
    secret = await refresh_token(world.app, user.id)
    return Prepared(json={"refresh_token": secret}, actor_id=user.id)


@builder("logout")
async def _logout(world: World, _: str) -> Prepared:
    # Logout ends only the caller's own session (anyone else's token is ignored, and writes
    # no audit row): where the caller matters, the call is made as the token's owner.
    user = await world.user()
    return Prepared(
        json={"refresh_token": await refresh_token(world.app, user.id)},
        headers={"Authorization": f"Bearer {await access_token(world.app, user.id)}"},
        actor_id=user.id,
        expect=204,
    )


@builder("change_password")
async def _change_password(world: World, _: str) -> Prepared:
    # A wrong current password: proves the caller got past authorization without ending
    # the fixture user's sessions. The successful change: `self_service_password_change`.
    return Prepared(
        json={"current_password": "not-the-password-0", "new_password": "a-new-strong-password-1"},
        expect=422,
    )


async def self_service_password_change(world: World) -> Prepared:
    """A successful change of one's own password, by a throwaway user with its own token."""
    user = await throwaway_user(world.app)
    token = await access_token(world.app, user.id)
    return Prepared(
        json={"current_password": user.password, "new_password": f"brand-new-pass-{_n()}x"},
        headers={"Authorization": f"Bearer {token}"},
        actor_id=user.id,
    )


# Catalog and warehouses -----------------------------------------------------------------------


@builder("create_engine")
async def _create_engine(world: World, _: str) -> Prepared:
    return Prepared(json={"code": f"NEW{_n()}", "name": "New engine"}, expect=201)


@builder("get_engine")
async def _get_engine(world: World, _: str) -> Prepared:
    return Prepared({"engine_id": await world.engine()})


@builder("update_engine")
async def _update_engine(world: World, _: str) -> Prepared:
    return Prepared({"engine_id": await world.engine()}, json={"description": f"d{_n()}"})


@builder("delete_engine")
async def _delete_engine(world: World, _: str) -> Prepared:
    return Prepared({"engine_id": await world.fresh_engine()}, expect=204)


@builder("create_warehouse")
async def _create_warehouse(world: World, _: str) -> Prepared:
    return Prepared(json={"code": f"NW{_n()}", "name": "New warehouse"}, expect=201)


@builder("get_warehouse")
async def _get_warehouse(world: World, _: str) -> Prepared:
    return Prepared({"warehouse_id": await world.warehouse()})


@builder("update_warehouse")
async def _update_warehouse(world: World, _: str) -> Prepared:
    return Prepared({"warehouse_id": await world.warehouse()}, json={"address": f"Dock {_n()}"})


@builder("delete_warehouse")
async def _delete_warehouse(world: World, _: str) -> Prepared:
    return Prepared({"warehouse_id": await world.fresh_warehouse()}, expect=204)


@builder("create_item")
async def _create_item(world: World, _: str) -> Prepared:
    return Prepared(json={"sku": f"NEW-{_n()}", "name": "New item"}, expect=201)


@builder("get_item", "get_item_stock")
async def _get_item(world: World, _: str) -> Prepared:
    return Prepared({"item_id": await world.item()})


@builder("update_item")
async def _update_item(world: World, _: str) -> Prepared:
    return Prepared({"item_id": await world.item()}, json={"name": f"Renamed {_n()}"})


@builder("delete_item")
async def _delete_item(world: World, _: str) -> Prepared:
    return Prepared({"item_id": await world.fresh_item()}, expect=204)


# Stock ----------------------------------------------------------------------------------------


@builder("stock_as_of")
async def _stock_as_of(world: World, _: str) -> Prepared:
    return Prepared(params={"at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")})


@builder("create_stock_adjustment")
async def _create_adjustment(world: World, _: str) -> Prepared:
    return Prepared(
        json={
            "warehouse_id": await world.main(),
            "reason": "cycle count",
            "lines": [{"item_id": await world.item(), "counted_quantity": 900 + _n()}],
        },
        expect=201,
    )


@builder("get_stock_adjustment")
async def _get_adjustment(world: World, _: str) -> Prepared:
    return Prepared({"adjustment_id": await world.adjustment()})


@builder("create_transfer")
async def _create_transfer(world: World, _: str) -> Prepared:
    return Prepared(
        json={
            "from_warehouse_id": await world.main(),
            "to_warehouse_id": await world.warehouse(),
            "lines": [{"item_id": await world.item(), "quantity": 1}],
        },
        expect=201,
    )


@builder("get_transfer")
async def _get_transfer(world: World, _: str) -> Prepared:
    return Prepared({"transfer_id": await world.transfer()})


# Documents ------------------------------------------------------------------------------------


def _kind(operation_id: str) -> str:
    return operation_id.rsplit("_", 1)[1]


@builder("create_inbound", "create_outbound")
async def _create_document(world: World, operation_id: str) -> Prepared:
    return Prepared(
        json={
            "warehouse_id": await world.main(),
            "partner": "ACME",
            "lines": [{"item_id": await world.item(), "quantity": 1}],
        },
        expect=201,
    )


@builder("get_inbound", "get_outbound")
async def _get_document(world: World, operation_id: str) -> Prepared:
    return Prepared({"document_id": await world.draft(_kind(operation_id))})


@builder("update_inbound", "update_outbound")
async def _update_document(world: World, operation_id: str) -> Prepared:
    return Prepared(
        {"document_id": await world.draft(_kind(operation_id))}, json={"memo": f"memo {_n()}"}
    )


_ACTION_STATES = {
    "approve": "draft",
    "commit": "approved",
    "reopen": "approved",
    "cancel": "draft",
    "reverse": "committed",
}


@builder(*(f"{action}_{kind}" for action in _ACTION_STATES for kind in ("inbound", "outbound")))
async def _document_action(world: World, operation_id: str) -> Prepared:
    action, kind = operation_id.split("_")
    document_id = await world.fresh_document(kind, _ACTION_STATES[action])
    body = {"reason": "security test"} if action in ("cancel", "reverse") else None
    return Prepared(
        {"document_id": document_id}, json=body, expect=201 if action == "reverse" else 200
    )


# Users and API keys ---------------------------------------------------------------------------


@builder("create_user")
async def _create_user(world: World, _: str) -> Prepared:
    return Prepared(
        json={
            "email": f"new-{uuid.uuid4().hex[:10]}@test.example",
            "name": "New user",
            "role": "viewer",
            "password": THROWAWAY_PASSWORD,
        },
        expect=201,
    )


@builder("get_user")
async def _get_user(world: World, _: str) -> Prepared:
    return Prepared({"user_id": str((await world.user()).id)})


@builder("update_user")
async def _update_user(world: World, _: str) -> Prepared:
    return Prepared({"user_id": str((await world.user()).id)}, json={"name": f"Renamed {_n()}"})


@builder("reset_password")
async def _reset_password(world: World, _: str) -> Prepared:
    user = await world.user()
    return Prepared({"user_id": str(user.id)}, json={"new_password": user.password})


@builder("delete_user")
async def _delete_user(world: World, _: str) -> Prepared:
    return Prepared({"user_id": str((await throwaway_user(world.app)).id)}, expect=204)


@builder("create_api_key")
async def _create_api_key(world: World, _: str) -> Prepared:
    return Prepared(json={"name": f"integration {_n()}", "role": "viewer"}, expect=201)


@builder("get_api_key")
async def _get_api_key(world: World, _: str) -> Prepared:
    return Prepared({"key_id": await world.api_key()})


@builder("revoke_api_key")
async def _revoke_api_key(world: World, _: str) -> Prepared:
    return Prepared({"key_id": await world.fresh_api_key()}, expect=204)


# Alerts ---------------------------------------------------------------------------------------


@builder("get_alert")
async def _get_alert(world: World, _: str) -> Prepared:
    return Prepared({"alert_id": await world.alert()})


@builder("acknowledge_alert")
async def _acknowledge_alert(world: World, _: str) -> Prepared:
    return Prepared({"alert_id": await world.alert()})


# Spreadsheets --------------------------------------------------------------------------------


@builder(
    "export_items",
    "export_stocks",
    "export_stock_moves",
    "export_inbounds",
    "export_outbounds",
    "items_import_template",
    "stock_import_template",
)
async def _spreadsheet(world: World, _: str) -> Prepared:
    return Prepared(params={"format": "csv"})


@builder("import_items")
async def _import_items(world: World, _: str) -> Prepared:
    sheet = f"sku,name\nIMP-{_n()},Imported item\n"
    return Prepared(files={"file": ("items.csv", sheet.encode(), "text/csv")}, data={})


@builder("import_stock_counts")
async def _import_stock_counts(world: World, _: str) -> Prepared:
    sku = (await world.api.ok("GET", f"/api/v1/items/{await world.item()}"))["sku"]
    code = (await world.home())["code"]
    sheet = f"sku,warehouse_code,counted_quantity\n{sku},{code},{900 + _n()}\n"
    return Prepared(files={"file": ("counts.csv", sheet.encode(), "text/csv")}, data={})


# Webhooks -------------------------------------------------------------------------------------

# A public address literal: passes the SSRF guard without a DNS lookup. Tests never run the
# delivery workers, so nothing is ever sent to it.
WEBHOOK_URL = "https://93.184.215.14/erp-hook"


@builder("create_webhook")
async def _create_webhook(world: World, _: str) -> Prepared:
    return Prepared(json={"url": WEBHOOK_URL, "events": ["item.*"]}, expect=201)


@builder("get_webhook", "list_webhook_deliveries")
async def _get_webhook(world: World, _: str) -> Prepared:
    return Prepared({"webhook_id": await world.webhook()})


@builder("update_webhook")
async def _update_webhook(world: World, _: str) -> Prepared:
    return Prepared({"webhook_id": await world.webhook()}, json={"description": f"hook {_n()}"})


@builder("delete_webhook")
async def _delete_webhook(world: World, _: str) -> Prepared:
    return Prepared({"webhook_id": await world.fresh_webhook()}, expect=204)
