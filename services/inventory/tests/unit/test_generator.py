from inventory.domain.items import ItemType
from inventory.service_layer.data_generator import GeneratedSet


def test_a_generated_set_has_every_item_at_every_location_and_packs_of_regular_items():
    generated = GeneratedSet(items=300, locations=10)
    rows = {name: list(found) for name, found in generated.rows().items()}

    assert len(rows["stock"]) == 300 * 10
    assert len(generated.stock_locations()) == 10
    packs = {row[0] for row in rows["items"] if row[2] == ItemType.PACK.value}
    assert len(packs) == 6
    assert all(row[0] in packs and row[1] not in packs for row in rows["packComponents"])
    assert {row[2] for row in rows["items"]} >= {"REGULAR", "PACK", "CATCHWEIGHT"}
    assert rows["stock"] == list(GeneratedSet(items=300, locations=10).rows()["stock"])  # deterministic
