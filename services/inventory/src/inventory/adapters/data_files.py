"""Foundation data files: CSV (one kind per file, named by the file: `items.csv`, `stock.part2.csv`)
or JSON (one document, `{"items": [...], "stock": [...], ...}`). Rows are read lazily."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inventory.domain.records import Kind, RecordError, kind_named


@dataclass(frozen=True)
class FilePart:
    """The records of one kind in one file."""

    kind: Kind
    source: str
    path: Path
    json_key: str | None = None

    def rows(self) -> Iterator[Mapping[str, Any]]:
        if self.json_key is None:
            with self.path.open(newline="", encoding="utf-8-sig") as handle:
                yield from csv.DictReader(handle)
            return
        document = json.loads(self.path.read_text(encoding="utf-8"))
        records = document[self.json_key]
        for record in records:
            if not isinstance(record, dict):
                raise RecordError(f"{self.source}: every {self.json_key} record must be a JSON object")
            yield record


def parts_of(path: Path) -> list[FilePart]:
    """The kinds of records in `path`, without reading the rows yet."""
    if not path.is_file():
        raise RecordError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [FilePart(kind_named(path.name.split(".")[0]), str(path), path)]
    if suffix == ".json":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise RecordError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(document, dict):
            raise RecordError(f'{path}: the document must be an object of kinds, e.g. {{"items": [...]}}')
        parts = []
        for key, records in document.items():
            if key.startswith("_"):
                continue
            if not isinstance(records, list):
                raise RecordError(f"{path}: {key} must be a list of records")
            parts.append(FilePart(kind_named(key), f"{path}", path, key))
        return parts
    raise RecordError(f"{path}: only .csv and .json files can be loaded")


def write_csv(path: Path, kind: Kind, rows: Iterator[tuple[Any, ...]]) -> int:
    """Write typed rows of `kind` as CSV with its camelCase headers; how many rows were written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.field for column in kind.columns])
        for row in rows:
            writer.writerow(["" if value is None else _text(value) for value in row])
            count += 1
    return count


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
