"""`python -m inventory data load|demo|generate` and `stock receive`: foundation data from CSV and
JSON files (all or nothing, errors naming file, record and field), receipts, the demo set."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from inventory.domain.records import RecordError, kind_named, typed_records
from inventory.service_layer.data_loading import load_demo, load_files


async def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "inventory", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_load_csv_and_json_files_then_receive(world, tmp_path, service_db_urls):
    store, dc, vw = world.location("store"), world.location("dc"), world.location("vw")
    drill, kit = world.item("drill"), world.item("kit")
    items = write_csv(
        tmp_path / "items.csv",
        [
            {
                "item": drill,
                "description": "Drill",
                "itemType": "REGULAR",
                "standardUom": "EA",
                "sellable": "Y",
            },
            {"item": kit, "description": "Kit", "itemType": "PACK", "standardUom": "EA", "sellable": "true"},
        ],
    )
    document = tmp_path / "foundation.json"
    document.write_text(
        json.dumps(
            {
                "locations": [
                    {"location": store, "locationType": "S", "customerOrderLocation": True},
                    {"location": dc, "locationType": "W"},
                    {"location": vw, "locationType": "W", "virtual": True, "physicalWarehouse": dc,
                     "channelId": 1, "customerOrderLocation": True, "primaryVirtual": True},
                ],
                "packComponents": [{"packItem": kit, "componentItem": drill, "quantity": 2}],
                "stock": [{"item": drill, "location": store, "stockOnHand": 7, "rtv": 1}],
            }
        )
    )  # fmt: skip
    database_url = service_db_urls["inventory"]

    loaded = await run(database_url, "data", "load", str(items), str(document))
    received = await run(database_url, "stock", "receive", drill, str(dc), "5")

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "items: 2, packComponents: 1, locations: 3, stock: 1"
    assert received.returncode == 0, received.stderr
    assert received.stdout.startswith(f"{drill}@{vw} status A: stock_on_hand 5,")
    assert (await world.buckets(drill, store)).available == Decimal(6)
    assert (await world.buckets(drill, vw)).stock_on_hand == Decimal(5)


async def test_a_bad_record_loads_nothing_and_names_file_record_and_field(world, tmp_path):
    good, bad = world.item("good"), world.item("bad")
    path = write_csv(
        tmp_path / "items.csv",
        [{"item": good, "itemType": "REGULAR"}, {"item": bad, "itemType": "BANANA"}],
    )

    with pytest.raises(RecordError) as error:
        await load_files(world.pool, [path])

    assert str(error.value) == (
        f"{path}: items record 2: field itemType must be one of REGULAR, PACK, CATCHWEIGHT, TRANSFORMABLE, "
        "CONSIGNMENT, CONCESSION, DEPOSIT_CONTAINER"
    )
    assert await world.pool.fetchval("SELECT count(*) FROM items WHERE item = $1", good) == 0


async def test_stock_at_a_location_that_holds_none_is_refused(world, tmp_path):
    dc = world.location("dc")
    drill = world.item("drill")
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps(
            {
                "items": [{"item": drill}],
                "locations": [{"location": dc, "locationType": "W"}],
                "stock": [{"item": drill, "location": dc, "stockOnHand": 1}],
            }
        )
    )

    with pytest.raises(RecordError, match="stock at locations that hold no stock"):
        await load_files(world.pool, [path])


async def test_generate_writes_a_set_the_loader_reads(tmp_path, service_db_urls):
    done = await run(
        service_db_urls["inventory"],
        "data",
        "generate",
        "--items",
        "120",
        "--locations",
        "10",
        "--out",
        str(tmp_path),
    )

    assert done.returncode == 0, done.stderr
    counts = {}
    for path in sorted(tmp_path.glob("*.csv")):
        kind = kind_named(path.stem)
        with path.open(newline="") as handle:
            counts[kind.name] = len(list(typed_records(kind, csv.DictReader(handle), str(path))))
    assert counts == {
        "items": 120,
        "locations": 11,  # 8 stores, 2 virtual warehouses and their physical one
        "packComponents": 4,
        "stock": 1200,
        "supplierItems": 120,
        "suppliers": 20,
    }


async def test_the_demo_set_loads_again_without_changing_what_happened_since(inventory, world):
    pool = inventory.runtime.pool
    await load_demo(pool)
    await pool.execute(
        "UPDATE stock SET stock_on_hand = stock_on_hand + 1 WHERE item = '100300004' AND location = 6000"
    )
    before = await world.buckets("100300004", 6000)

    counts = await load_demo(pool)

    assert counts["reservations"] == 0
    assert counts["items"] == 16
    assert await world.buckets("100300004", 6000) == before
