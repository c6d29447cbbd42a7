"""The internal foundation data API fulfillment validates its orders with."""

from __future__ import annotations

from .reservations_api import TRACE


async def test_lookup_items_locations_ranging_and_supply(world, inventory):
    (shop,) = await world.stores("shop")
    dc, virtual = await world.warehouse("dc", {1: True, 2: False})
    drill, kit = await world.items("drill", "kit")
    await world.load(
        items=[{"item": kit, "itemType": "PACK"}],
        packComponents=[{"packItem": kit, "componentItem": drill, "quantity": 2}],
        uomConversions=[{"item": drill, "uom": "CS", "factor": 6}],
        suppliers=[{"supplier": world.location("acme"), "name": "Acme"}],
        supplierItems=[{"supplier": world.location("acme"), "item": drill, "primarySupplier": True}],
    )
    await world.stock(drill, shop, 1, status="C")
    acme = world.location("acme")

    response = await inventory.client.post(
        "/internal/v1/foundation/lookup",
        json={
            "items": [drill, kit, "nope"],
            "locations": [dc],
            "itemLocations": [{"item": drill, "location": shop}, {"item": kit, "location": shop}],
            "supplierItems": [{"supplier": acme, "item": drill}, {"supplier": acme, "item": kit}],
        },
        headers=TRACE,
    )

    assert response.status_code == 200, response.text
    found = response.json()
    assert [
        (item["item"], item["itemType"], item["supportedForCustomerOrders"]) for item in found["items"]
    ] == [
        (drill, "REGULAR", True),
        (kit, "PACK", True),
    ] or sorted(found["items"], key=lambda item: item["item"]) == found["items"]
    by_item = {item["item"]: item for item in found["items"]}
    assert by_item[kit]["packComponents"] == [{"item": drill, "quantity": 2}]
    assert by_item[drill]["uomConversions"] == [{"uom": "CS", "factor": 6}]
    assert [(loc["location"], loc["channelId"]) for loc in found["locations"]] == sorted(
        [(dc, None), (virtual[1], 1), (virtual[2], 2)]
    )
    assert {(entry["item"], entry["ranged"], entry["status"]) for entry in found["itemLocations"]} == {
        (drill, True, "C"),
        (kit, False, None),
    }
    assert [
        (entry["item"], entry["supplied"], entry["primarySupplier"]) for entry in found["supplierItems"]
    ] == [
        (drill, True, True),
        (kit, False, False),
    ]


async def test_a_supplier_supplies_an_item_or_404(world, inventory):
    (drill,) = await world.items("drill")
    acme = world.location("acme")
    await world.load(suppliers=[{"supplier": acme}], supplierItems=[{"supplier": acme, "item": drill}])

    supplied = await inventory.client.get(f"/internal/v1/suppliers/{acme}/items/{drill}", headers=TRACE)
    not_supplied = await inventory.client.get(f"/internal/v1/suppliers/{acme}/items/other", headers=TRACE)
    no_supplier = await inventory.client.get(
        f"/internal/v1/suppliers/{acme + 1}/items/{drill}", headers=TRACE
    )
    item = await inventory.client.get(f"/internal/v1/items/{drill}", headers=TRACE)
    location = await inventory.client.get(
        f"/internal/v1/locations/{world.location('nowhere')}", headers=TRACE
    )

    assert supplied.status_code == 200
    assert supplied.json() == {"supplier": acme, "item": drill, "supplierExists": True, "supplied": True,
                               "primarySupplier": False}  # fmt: skip
    assert not_supplied.status_code == 404
    assert not_supplied.json()["message"] == f"Supplier {acme} does not supply item other"
    assert no_supplier.json()["message"] == f"Supplier {acme + 1} does not exist"
    assert item.json()["item"] == drill
    assert location.status_code == 404


async def test_lookup_answers_item_statuses_at_a_warehouses_virtual_warehouses_when_asked(world, inventory):
    dc, virtual = await world.warehouse("dc", {1: True, 2: False})
    (drill,) = await world.items("drill")
    await world.stock(drill, virtual[1], 5, status="C")
    body = {"locations": [dc], "itemLocations": [{"item": drill, "location": dc}]}

    plain = await inventory.client.post("/internal/v1/foundation/lookup", json=body, headers=TRACE)
    extended = await inventory.client.post(
        "/internal/v1/foundation/lookup", json=body | {"atVirtualWarehouses": True}, headers=TRACE
    )

    assert [entry["location"] for entry in plain.json()["itemLocations"]] == [dc]
    assert {(entry["location"], entry["status"]) for entry in extended.json()["itemLocations"]} == {
        (dc, None),
        (virtual[1], "C"),
        (virtual[2], None),
    }
