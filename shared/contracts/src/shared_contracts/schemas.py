"""JSON Schema of every event and Merchandising body, exported to files and checked against them."""

import json
from pathlib import Path
from typing import Final

from pydantic import BaseModel

from shared_contracts.events.registry import EVENT_TYPES
from shared_contracts.merchandising.operations import MERCH_OPERATIONS

SCHEMA_MODELS: Final[tuple[type[BaseModel], ...]] = (
    *EVENT_TYPES.values(),
    *(operation.request for operation in MERCH_OPERATIONS),
    *dict.fromkeys(operation.response for operation in MERCH_OPERATIONS),
)
"""Every model whose schema is published: the events, then the requests and responses."""

EXPORT_HINT: Final = "uv run python -m shared_contracts export docs/events/schemas"


def render_schemas() -> dict[str, str]:
    """File name (``<Model>.json``) -> schema text: sorted keys, two-space indent, trailing newline."""
    rendered: dict[str, str] = {}
    for model in SCHEMA_MODELS:
        file_name = f"{model.__name__}.json"
        if file_name in rendered:
            raise RuntimeError(f"two schema models are named {model.__name__}")
        schema = model.model_json_schema(mode="validation")
        rendered[file_name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return rendered


def export_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` and delete the ``.json`` files of models that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    rendered = render_schemas()
    for stale in directory.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    written = []
    for file_name, text in rendered.items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_schemas(directory: Path) -> list[str]:
    """The differences between the models and the schema files in ``directory``; empty when they agree."""
    rendered = render_schemas()
    committed = {path.name: path for path in directory.glob("*.json")}
    differences = [f"missing: {name}" for name in sorted(rendered.keys() - committed.keys())]
    differences += [f"extra: {name}" for name in sorted(committed.keys() - rendered.keys())]
    differences += [
        f"changed: {name}"
        for name in sorted(rendered.keys() & committed.keys())
        if committed[name].read_text(encoding="utf-8") != rendered[name]
    ]
    return differences
