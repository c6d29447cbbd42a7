"""Large foundation data sets for benchmarks: N items ranged at M stock locations (stores and the
virtual warehouses of a few physical warehouses), deterministic for a seed."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from inventory.adapters.data_files import write_csv
from inventory.domain.items import ItemType
from inventory.domain.records import kind_named

FIRST_ITEM = 300_000_000
FIRST_STORE = 100_001
FIRST_PHYSICAL_WAREHOUSE = 900_001
FIRST_VIRTUAL_WAREHOUSE = 910_001
CHANNELS = 5
SUPPLIERS = 20
PACK_EVERY = 50
"""Every 50th item is a pack of two regular items."""
UNSUPPORTED = (
    ItemType.CATCHWEIGHT,
    ItemType.TRANSFORMABLE,
    ItemType.CONSIGNMENT,
    ItemType.CONCESSION,
    ItemType.DEPOSIT_CONTAINER,
)
UNSUPPORTED_EVERY = 200

Row = tuple[Any, ...]


@dataclass(frozen=True)
class GeneratedSet:
    items: int
    locations: int
    seed: int = 7

    @property
    def virtual_warehouses(self) -> int:
        return max(1, self.locations // 5)

    @property
    def stores(self) -> int:
        return self.locations - self.virtual_warehouses

    @property
    def physical_warehouses(self) -> int:
        return math.ceil(self.virtual_warehouses / CHANNELS)

    def item_number(self, index: int) -> str:
        return str(FIRST_ITEM + index)

    def item_type(self, index: int) -> ItemType:
        if index % PACK_EVERY == PACK_EVERY - 1:
            return ItemType.PACK
        if index % UNSUPPORTED_EVERY == UNSUPPORTED_EVERY // 2:
            return UNSUPPORTED[(index // UNSUPPORTED_EVERY) % len(UNSUPPORTED)]
        return ItemType.REGULAR

    def store_numbers(self) -> list[int]:
        return [FIRST_STORE + index for index in range(self.stores)]

    def virtual_warehouse_numbers(self) -> list[int]:
        return [FIRST_VIRTUAL_WAREHOUSE + index for index in range(self.virtual_warehouses)]

    def stock_locations(self) -> list[int]:
        return self.store_numbers() + self.virtual_warehouse_numbers()

    def rows(self) -> dict[str, Iterator[Row]]:
        """Typed rows per kind, in the column order of `inventory.domain.records`."""
        return {
            "items": self._items(),
            "packComponents": self._pack_components(),
            "locations": self._locations(),
            "suppliers": self._suppliers(),
            "supplierItems": self._supplier_items(),
            "stock": self._stock(),
        }

    def _items(self) -> Iterator[Row]:
        for index in range(self.items):
            item_type = self.item_type(index)
            uom = "KG" if item_type is ItemType.CATCHWEIGHT else "EA"
            yield (self.item_number(index), f"Generated item {index}", item_type.value, uom, True, True)

    def _pack_components(self) -> Iterator[Row]:
        for index in range(PACK_EVERY - 1, self.items, PACK_EVERY):
            yield (self.item_number(index), self.item_number(index - 1), Decimal(1))
            yield (self.item_number(index), self.item_number(index - 2), Decimal(2))

    def _locations(self) -> Iterator[Row]:
        for number in self.store_numbers():
            yield (number, "S", f"Store {number}", False, True, False, True, None, None, False)
        for index in range(self.physical_warehouses):
            number = FIRST_PHYSICAL_WAREHOUSE + index
            yield (number, "W", f"DC {number}", False, False, False, False, None, None, False)
        for index, number in enumerate(self.virtual_warehouse_numbers()):
            channel = index % CHANNELS + 1
            physical = FIRST_PHYSICAL_WAREHOUSE + index // CHANNELS
            yield (
                number, "W", f"DC {physical} channel {channel}", True, True, False, channel != CHANNELS,
                physical, channel, channel == 1,
            )  # fmt: skip

    def _suppliers(self) -> Iterator[Row]:
        for index in range(SUPPLIERS):
            yield (2_000 + index, f"Supplier {index}")

    def _supplier_items(self) -> Iterator[Row]:
        for index in range(self.items):
            yield (2_000 + index % SUPPLIERS, self.item_number(index), True)

    def _stock(self) -> Iterator[Row]:
        rng = random.Random(self.seed)
        stores = set(self.store_numbers())
        zero = Decimal(0)
        for index in range(self.items):
            item = self.item_number(index)
            is_pack = self.item_type(index) is ItemType.PACK
            for location in self.stock_locations():
                on_hand = 0 if is_pack and location in stores else rng.randrange(0, 500)
                transfer = min(on_hand, rng.randrange(0, 4))
                status = "C" if (index + location) % 97 == 0 else "A"
                yield (item, location, status, Decimal(on_hand), Decimal(transfer), None, zero, zero, zero)


def write_set(generated: GeneratedSet, directory: Path) -> dict[str, int]:
    """Write the set as CSV files (`items.csv`, `stock.csv`, ...) that `data load` reads."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in generated.rows().items():
        kind = kind_named(name)
        counts[name] = write_csv(directory / f"{kind.table}.csv", kind, rows)
    return counts
