"""Base classes fixing how contract models map to JSON: camelCase on the wire, snake_case in Python."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic.fields import ComputedFieldInfo, FieldInfo


def wire_name_title(field_name: str, field: FieldInfo | ComputedFieldInfo) -> str:
    """A field's JSON Schema title: its name on the wire."""
    return field.alias or to_camel(field_name)


class CamelModel(BaseModel):
    """Immutable, camelCase JSON; unknown JSON fields are ignored (tolerant reader).

    Serializing (`model_dump`, `model_dump_json`) writes the camelCase names by default.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        field_title_generator=wire_name_title,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        frozen=True,
        extra="ignore",
    )


class StrictCamelModel(CamelModel):
    """Like `CamelModel` but an unknown field is refused; used for the bodies this platform answers with."""

    model_config = ConfigDict(extra="forbid")


class RequestModel(StrictCamelModel):
    """A request body received from outside: only the documented camelCase names, nothing else.

    The snake_case Python names are not accepted as input, so `order_quantity_suom` in a body is
    refused like any other unknown field.
    """

    model_config = ConfigDict(validate_by_name=False)
