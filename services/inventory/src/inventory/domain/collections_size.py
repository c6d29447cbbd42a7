"""`collectionSize`: the number of items the request says it carries must be the number it carries."""

from __future__ import annotations

from collections.abc import Sized

from inventory.domain.errors import FieldProblem, InvalidRequestError


def check_collection_size(collection_size: int, items: Sized | None) -> None:
    actual = 0 if items is None else len(items)
    if collection_size != actual:
        raise InvalidRequestError(
            [
                FieldProblem(
                    "collectionSize",
                    f"must equal the number of items ({actual})",
                    collection_size,
                )
            ]
        )
