"""The standard error body (API.md "Error body"), shared by HTTP answers and DLQ headers."""

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorCategory(StrEnum):
    AUTHORIZATION = "AUTHORIZATION"  # 401/403
    VALIDATION = "VALIDATION"  # 400
    TEST_DATA = "TEST_DATA"  # 422, sandbox test data missing
    BUSINESS = "BUSINESS"  # 409/422 (400 on the Merchandising paths)
    NOT_FOUND = "NOT_FOUND"  # 404
    RATE_LIMITED = "RATE_LIMITED"  # 429
    UNAVAILABLE = "UNAVAILABLE"  # 503
    INTERNAL = "INTERNAL"  # 500


class ValidationErrorItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    error: str
    field: str
    input_value: Any = Field(default=None, alias="inputValue")


class ErrorBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    status: Literal["ERROR"] = "ERROR"
    code: str
    category: ErrorCategory
    message: str
    trace_id: str | None = Field(default=None, alias="traceId")
    validation_errors: list[ValidationErrorItem] = Field(default_factory=list, alias="validationErrors")
    business_error: list[str] = Field(default_factory=list, alias="businessError")

    def to_json_dict(self) -> dict[str, Any]:
        """camelCase JSON with `validationErrors` / `businessError` only when they have entries."""
        body = self.model_dump(mode="json", by_alias=True, exclude={"validation_errors", "business_error"})
        if self.validation_errors:
            body["validationErrors"] = [
                e.model_dump(mode="json", by_alias=True) for e in self.validation_errors
            ]
        if self.business_error:
            body["businessError"] = list(self.business_error)
        return body
