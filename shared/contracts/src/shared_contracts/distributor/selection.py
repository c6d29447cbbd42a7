"""A request naming one order or one CDG (`orderId` XOR `cdgId`)."""

from typing import Self

from pydantic import Field, model_validator

from shared_contracts.distributor.types import Identifier
from shared_contracts.model import RequestModel


class OrderOrCdg(RequestModel):
    order_id: Identifier | None = Field(default=None, description="Exactly one of orderId and cdgId.")
    cdg_id: Identifier | None = Field(default=None, description="Exactly one of orderId and cdgId.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.order_id is None) == (self.cdg_id is None):
            raise ValueError("exactly one of orderId and cdgId is required")
        return self
