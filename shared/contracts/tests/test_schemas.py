import json
from pathlib import Path

import pytest

from shared_contracts.__main__ import main
from shared_contracts.events import EVENT_TYPES
from shared_contracts.merchandising import MERCH_OPERATIONS
from shared_contracts.schemas import SCHEMA_MODELS, check_schemas, export_schemas, render_schemas

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "events" / "schemas"


def test_committed_schemas_are_up_to_date():
    assert check_schemas(COMMITTED) == [], "run: uv run python -m shared_contracts export docs/events/schemas"


def test_every_event_request_and_response_has_a_schema():
    names = set(render_schemas())
    expected = {model.__name__ for model in EVENT_TYPES.values()}
    expected |= {operation.request.__name__ for operation in MERCH_OPERATIONS}
    expected |= {operation.response.__name__ for operation in MERCH_OPERATIONS}
    assert names == {f"{name}.json" for name in expected}
    assert len(SCHEMA_MODELS) == len(names)


def test_schema_files_are_sorted_indented_and_end_with_a_newline():
    for text in render_schemas().values():
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_request_schemas_refuse_unknown_fields_and_use_the_wire_names():
    schema = json.loads(render_schemas()["FulfillmentOrderCreateRequest.json"])
    order = schema["$defs"]["FulfillmentOrder"]
    assert order["additionalProperties"] is False
    assert "partialDeliveryInd" in order["required"]
    assert order["properties"]["customerOrderNo"]["maxLength"] == 48
    quantity = schema["$defs"]["FulfillmentOrderDetail"]["properties"]["orderQuantitySuom"]
    assert quantity == {
        "description": quantity["description"],
        "maximum": 99999999.9999,
        "minimum": -99999999.9999,
        "title": "orderQuantitySuom",
        "type": "number",
    }


def test_check_reports_missing_extra_and_changed_files(tmp_path: Path):
    export_schemas(tmp_path)
    assert check_schemas(tmp_path) == []
    (tmp_path / "OrderCreated.json").unlink()
    (tmp_path / "OrderDeleted.json").write_text("{}\n")
    (tmp_path / "MerchSuccess.json").write_text("{}\n")
    (tmp_path / "README.md").write_text("not a schema\n")
    assert check_schemas(tmp_path) == [
        "missing: OrderCreated.json",
        "extra: OrderDeleted.json",
        "changed: MerchSuccess.json",
    ]


def test_export_removes_the_schemas_of_models_that_are_gone(tmp_path: Path):
    (tmp_path / "OrderDeleted.json").write_text("{}\n")
    (tmp_path / "README.md").write_text("kept\n")
    export_schemas(tmp_path)
    assert not (tmp_path / "OrderDeleted.json").exists()
    assert (tmp_path / "README.md").exists()
    assert check_schemas(tmp_path) == []


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "schemas"
    assert main(["check", str(target)]) == 1
    assert "missing: OrderCreated.json" in capsys.readouterr().err
    assert main(["export", str(target)]) == 0
    assert main(["check", str(target)]) == 0
    assert "up to date" in capsys.readouterr().out
