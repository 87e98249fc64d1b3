"""Drive the HTTP API in tests: build data through endpoints, as a chosen role."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from erp_engine.kernel.roles import Role

_counter = itertools.count(1)


class Api:
    def __init__(self, client: httpx.AsyncClient, tokens: dict[Role, str]):
        self.client = client
        self.tokens = tokens

    def headers(self, role: Role | str = Role.MANAGER, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[Role(role)]}", **extra}

    async def request(
        self,
        method: str,
        path: str,
        *,
        role: Role | str = Role.MANAGER,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        return await self.client.request(
            method, path, headers={**self.headers(role), **(headers or {})}, **kwargs
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        """Make a request that must answer `status`; return its JSON body."""
        response = await self.request(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    # Data builders ------------------------------------------------------------------------

    async def main_warehouse(self) -> dict:
        page = await self.ok("GET", "/api/v1/warehouses", params={"q": "MAIN"})
        return next(w for w in page["data"] if w["code"] == "MAIN")

    async def warehouse(self, code: str | None = None, **fields: Any) -> dict:
        code = code or f"WH{next(_counter)}"
        return await self.ok(
            "POST",
            "/api/v1/warehouses",
            201,
            json={"code": code, "name": f"Warehouse {code}", **fields},
        )

    async def engine(self, code: str | None = None, **fields: Any) -> dict:
        code = code or f"ENG{next(_counter)}"
        return await self.ok(
            "POST", "/api/v1/engines", 201, json={"code": code, "name": f"Engine {code}", **fields}
        )

    async def item(self, sku: str | None = None, **fields: Any) -> dict:
        sku = sku or f"SKU-{next(_counter)}"
        return await self.ok(
            "POST", "/api/v1/items", 201, json={"sku": sku, "name": f"Item {sku}", **fields}
        )

    async def document(
        self,
        kind: str,
        warehouse_id: str,
        lines: list[tuple[str, Any]],
        role: Role | str = Role.MANAGER,
        **fields: Any,
    ) -> dict:
        body = {
            "warehouse_id": warehouse_id,
            "lines": [{"item_id": item_id, "quantity": q} for item_id, q in lines],
            **fields,
        }
        return await self.ok("POST", f"/api/v1/{kind}s", 201, json=body, role=role)

    async def act(
        self,
        kind: str,
        document_id: str,
        action: str,
        status: int = 200,
        role: Role | str = Role.MANAGER,
        **kwargs: Any,
    ) -> dict:
        return await self.ok(
            "POST", f"/api/v1/{kind}s/{document_id}/{action}", status, role=role, **kwargs
        )

    async def receive(
        self,
        item_id: str,
        quantity: Any,
        warehouse_id: str | None = None,
        unit_cost: Any | None = None,
    ) -> dict:
        """Create, approve and commit an inbound of one line."""
        warehouse_id = warehouse_id or (await self.main_warehouse())["id"]
        line: dict[str, Any] = {"item_id": item_id, "quantity": quantity}
        if unit_cost is not None:
            line["unit_cost"] = unit_cost
        doc = await self.ok(
            "POST", "/api/v1/inbounds", 201, json={"warehouse_id": warehouse_id, "lines": [line]}
        )
        await self.act("inbound", doc["id"], "approve")
        return await self.act("inbound", doc["id"], "commit")

    async def ship(self, item_id: str, quantity: Any, warehouse_id: str | None = None) -> dict:
        """Create, approve and commit an outbound of one line."""
        warehouse_id = warehouse_id or (await self.main_warehouse())["id"]
        doc = await self.document("outbound", warehouse_id, [(item_id, quantity)])
        await self.act("outbound", doc["id"], "approve")
        return await self.act("outbound", doc["id"], "commit")

    async def stock(self, item_id: str) -> dict:
        return await self.ok("GET", f"/api/v1/stocks/{item_id}")
