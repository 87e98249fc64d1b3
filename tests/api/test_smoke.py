"""The shortest path through the product: receive stock, then ship part of it."""

from decimal import Decimal


async def test_receiving_then_shipping_moves_stock_through_the_ledger(api):
    item = await api.item(reorder_point=2)
    await api.receive(item["id"], 10, unit_cost=100)
    await api.ship(item["id"], "3.5")
    stock = await api.stock(item["id"])
    assert Decimal(str(stock["on_hand"])) == Decimal("6.5")
    moves = await api.ok("GET", "/api/v1/stock-moves", params={"item_id": item["id"]})
    assert [m["balance_after"] for m in moves["data"]] == [6.5, 10]
