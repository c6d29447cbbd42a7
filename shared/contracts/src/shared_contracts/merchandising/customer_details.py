"""Customer information sent with a fulfillment order (the specification's `CustomerDetails` record).

`deliver*` fields describe the delivery address, `bill*` fields the billing address. All of it is
personal data: with `PERSIST_CUSTOMER_DATA_IND = N` none of it is stored.
"""

from datetime import date

from pydantic import Field

from shared_contracts.merchandising.types import (
    String3,
    String10,
    String14,
    String20,
    String30,
    String120,
    String240,
    String250,
)
from shared_contracts.model import RequestModel


class LocalizationAttribute(RequestModel):
    """One localization attribute."""

    name: String30 = Field(description="The attribute name.")
    value: String250 | None = Field(default=None, description="Numeric or string value of the attribute.")
    value_date: date | None = Field(default=None, description="Date value of the attribute.")


class LocalizationExtension(RequestModel):
    """Localization attributes of one country, for the localization extension module."""

    country: String3 = Field(description="The country the attributes belong to.")
    attributes: list[LocalizationAttribute]


class CustomerDetails(RequestModel):
    """The customer, delivery address and billing address of a fulfillment order."""

    customer_no: String14 | None = Field(default=None, description="The customer's number in the OMS.")
    deliver_first_name: String120 | None = None
    deliver_phonetic_first: String120 | None = None
    deliver_last_name: String120 | None = None
    deliver_phonetic_last: String120 | None = None
    deliver_preferred_name: String120 | None = None
    deliver_company_name: String120 | None = None
    deliver_add1: String240 | None = None
    deliver_add2: String240 | None = None
    deliver_add3: String240 | None = None
    deliver_county: String250 | None = None
    deliver_city: String120 | None = None
    deliver_state: String3 | None = None
    deliver_country_id: String3 | None = None
    deliver_post: String30 | None = None
    deliver_jurisdiction: String10 | None = None
    deliver_phone: String20 | None = None
    deliver_email: String120 | None = None
    bill_first_name: String120 | None = None
    bill_phonetic_first: String120 | None = None
    bill_last_name: String120 | None = None
    bill_phonetic_last: String120 | None = None
    bill_preferred_name: String120 | None = None
    bill_company_name: String120 | None = None
    bill_add1: String240 | None = None
    bill_add2: String240 | None = None
    bill_add3: String240 | None = None
    bill_county: String250 | None = None
    bill_city: String120 | None = None
    bill_state: String3 | None = None
    bill_country_id: String3 | None = None
    bill_post: String30 | None = None
    bill_jurisdiction: String10 | None = None
    bill_phone: String20 | None = None
    bill_email: String120 | None = None
    localization_extensions: list[LocalizationExtension] | None = None
