"""The success body of the Merchandising services that answer no object."""

from typing import Literal

from shared_contracts.model import StrictCamelModel

SUCCESS_MESSAGE = "Service call is successful"


class MerchSuccess(StrictCamelModel):
    """`{"status": "SUCCESS", "message": "Service call is successful"}`"""

    status: Literal["SUCCESS"] = "SUCCESS"
    message: str = SUCCESS_MESSAGE
