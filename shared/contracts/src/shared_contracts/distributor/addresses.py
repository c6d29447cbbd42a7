"""Addresses: installation sites write the post code `postalCode`, shipping writes it `zip`.

Older examples use `zipcode`; a body with it (or with the other endpoint's name) is refused with a
hint naming the field this endpoint expects, at the field's own path (e.g. `shippingAddress.zipcode`).
"""

from typing import Any, ClassVar

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from shared_contracts.distributor.types import Text10, Text30, Text60, Text120
from shared_contracts.model import RequestModel

POST_CODE_SPELLINGS = ("zip", "zipcode", "zipCode", "postalCode", "postal_code", "postcode")


def unknown_field_hint(expected: str) -> str:
    return f"unknown field; this endpoint expects '{expected}'"


class _Address(RequestModel):
    post_code_field: ClassVar[str]

    street: Text120 = Field(description="Street and number; 1..120 characters.")
    city: Text60 = Field(description="1..60 characters.")
    state: Text30 = Field(description="State or province code, e.g. `TX`; 1..30 characters.")

    @model_validator(mode="before")
    @classmethod
    def _refuse_other_post_code_spellings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        wrong = [name for name in POST_CODE_SPELLINGS if name != cls.post_code_field and name in data]
        if wrong:
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("unknown_field", unknown_field_hint(cls.post_code_field)),
                        loc=(name,),
                        input=data[name],
                    )
                    for name in wrong
                ],
            )
        return data


class SiteAddress(_Address):
    """An installation site address; the post code is `postalCode`."""

    post_code_field: ClassVar[str] = "postalCode"

    postal_code: Text10 = Field(description="Post code, e.g. `75082`; 1..10 characters.")


class ShippingAddress(_Address):
    """A shipping address; the post code is `zip` (not `zipcode`)."""

    post_code_field: ClassVar[str] = "zip"

    zip: Text10 = Field(description="ZIP code, e.g. `95350-1232`; 1..10 characters.")
