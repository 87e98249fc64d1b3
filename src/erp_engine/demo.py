"""Demo data: the original system's two engines, a few items, two warehouses, real documents.

Everything goes through the services, so the ledger, flows and events are exactly what a
user's own work would produce.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from erp_engine.catalog import service as catalog
from erp_engine.documents import service as documents
from erp_engine.documents.model import DocumentKind
from erp_engine.identity import service as identity
from erp_engine.kernel.principal import SYSTEM, Principal
from erp_engine.kernel.roles import Role
from erp_engine.ops.startup import DEMO_ADMIN_EMAIL
from erp_engine.uow import UnitOfWork
from erp_engine.warehouses import service as warehouses

BATCH = 500

ENGINES = [
    (
        "LCD",
        "LCD 모니터",
        "LCD 모니터 제품군 / LCD monitors",
        [
            ("LCD-24-FHD", "24인치 FHD 모니터", "8801234500011", "189000", 5),
            ("LCD-27-QHD", "27인치 QHD 모니터", "8801234500028", "329000", 5),
            ("LCD-32-4K", "32인치 4K 모니터", "8801234500035", "549000", 3),
            ("LCD-ARM-01", "모니터 암 (싱글)", None, "45000", 10),
        ],
    ),
    (
        "KBD",
        "키보드",
        "키보드 제품군 / Keyboards",
        [
            ("KBD-MECH-RED", "기계식 키보드 (적축)", "8801234500103", "89000", 10),
            ("KBD-MECH-BRN", "기계식 키보드 (갈축)", "8801234500110", "89000", 10),
            ("KBD-WL-SLIM", "무선 슬림 키보드", "8801234500127", "59000", 8),
            ("KBD-KEYCAP", "PBT 키캡 세트", None, "35000", 20),
        ],
    ),
]


@dataclass(frozen=True, slots=True)
class DemoResult:
    loaded: bool
    admin_password: str | None
    items: int


async def _receive_and_ship(uow_factory, warehouse_id, lines_in, lines_out, actor) -> None:
    inbound = await documents.create_document(
        uow_factory(),
        DocumentKind.INBOUND,
        warehouse_id=warehouse_id,
        lines=lines_in,
        actor=actor,
        partner="(주)한빛전자",
        reference="PO-2026-001",
        memo="초기 입고",
    )
    for action in ("approve", "commit"):
        await documents.transition_document(
            uow_factory(), DocumentKind.INBOUND, inbound.document.id, action, actor=actor
        )
    if lines_out:
        outbound = await documents.create_document(
            uow_factory(),
            DocumentKind.OUTBOUND,
            warehouse_id=warehouse_id,
            lines=lines_out,
            actor=actor,
            partner="서울컴퓨터",
            reference="SO-2026-001",
            memo="첫 출고",
        )
        for action in ("approve", "commit"):
            await documents.transition_document(
                uow_factory(), DocumentKind.OUTBOUND, outbound.document.id, action, actor=actor
            )


async def load_demo(
    uow_factory: Callable[[], UnitOfWork],
    *,
    extra_items: int = 0,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Load the demo once: returns `loaded=False` when an engine LCD already exists."""
    async with uow_factory() as uow:
        if await uow.engines.get_by_code("LCD") is not None:
            return DemoResult(False, None, 0)
        main = await uow.warehouses.get_by_code("MAIN")
        main_id = main.id
    password = None
    actor: Principal = SYSTEM
    if await identity.count_users(uow_factory()) == 0:
        password = secrets.token_urlsafe(12)
        admin = await identity.create_user(
            uow_factory(),
            email=DEMO_ADMIN_EMAIL,
            name="Demo Admin",
            role=Role.ADMIN,
            password=password,
        )
        actor = admin.as_principal()
    busan = await warehouses.create_warehouse(
        uow_factory(), code="BUSAN", name="부산 물류센터", address="부산광역시 강서구", actor=actor
    )
    created = 0
    for code, name, description, items in ENGINES:
        engine = await catalog.create_engine(
            uow_factory(), code=code, name=name, description=description, actor=actor
        )
        item_ids = []
        for sku, item_name, barcode, cost, reorder in items:
            item = await catalog.create_item(
                uow_factory(),
                sku=sku,
                name=item_name,
                engine_id=engine.id,
                barcode=barcode,
                unit_cost=Decimal(cost),
                reorder_point=Decimal(reorder),
                actor=actor,
            )
            item_ids.append((item.id, Decimal(cost)))
            created += 1
        lines_in = [
            documents.LineInput(i, Decimal(40 + 5 * n), cost)
            for n, (i, cost) in enumerate(item_ids)
        ]
        lines_out = [documents.LineInput(i, Decimal(7 + n)) for n, (i, _) in enumerate(item_ids)]
        await _receive_and_ship(uow_factory, main_id, lines_in, lines_out, actor)
        await _receive_and_ship(uow_factory, busan.id, lines_in[:2], [], actor)
    if extra_items:
        created += await _load_bulk_items(uow_factory, main_id, extra_items, actor, progress)
    return DemoResult(True, password, created)


async def _load_bulk_items(
    uow_factory, warehouse_id: uuid.UUID, count: int, actor, progress
) -> int:
    """Many items for benchmarks: created in batches, each batch received by one inbound."""
    engine = await catalog.create_engine(
        uow_factory(), code="BULK", name="Bulk demo items", actor=actor
    )
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        ids = await catalog.create_items_bulk(
            uow_factory(),
            [
                {
                    "sku": f"BULK-{done + n:07d}",
                    "name": f"Bulk item {done + n}",
                    "engine_id": engine.id,
                    "unit_cost": Decimal(1000 + (done + n) % 500),
                    "reorder_point": Decimal(5),
                }
                for n in range(size)
            ],
            actor=actor,
        )
        lines = [
            documents.LineInput(i, Decimal(10 + n % 90), Decimal(1000)) for n, i in enumerate(ids)
        ]
        await _receive_and_ship(uow_factory, warehouse_id, lines, [], actor)
        done += size
        if progress:
            progress(size)
    return done
