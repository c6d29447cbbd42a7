"""The specification's data types, named as its tables write them.

`String (n)` is `Stringn`: at most n characters. `Number (n)` is `Numbern`: an integer of at
most n digits, given as a JSON integer (not a string, a float or a boolean). `Number (p,s)` is
`Numberp_s`: a decimal of at most p digits, s of them after the point, written to JSON as a number.
The one-character codes the specification enumerates are `Literal` types.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, Strict, StringConstraints

from shared_contracts.json_number import AS_JSON_NUMBER, fixed_point_schema

String2 = Annotated[str, StringConstraints(max_length=2)]
String3 = Annotated[str, StringConstraints(max_length=3)]
String4 = Annotated[str, StringConstraints(max_length=4)]
String6 = Annotated[str, StringConstraints(max_length=6)]
String10 = Annotated[str, StringConstraints(max_length=10)]
String14 = Annotated[str, StringConstraints(max_length=14)]
String20 = Annotated[str, StringConstraints(max_length=20)]
String25 = Annotated[str, StringConstraints(max_length=25)]
String30 = Annotated[str, StringConstraints(max_length=30)]
String48 = Annotated[str, StringConstraints(max_length=48)]
String120 = Annotated[str, StringConstraints(max_length=120)]
String240 = Annotated[str, StringConstraints(max_length=240)]
String250 = Annotated[str, StringConstraints(max_length=250)]
String2000 = Annotated[str, StringConstraints(max_length=2000)]

Number4 = Annotated[int, Strict(), Field(ge=-9_999, le=9_999)]
Number10 = Annotated[int, Strict(), Field(ge=-9_999_999_999, le=9_999_999_999)]
Number12 = Annotated[int, Strict(), Field(ge=-999_999_999_999, le=999_999_999_999)]

Number12_4 = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=4, allow_inf_nan=False),
    AS_JSON_NUMBER,
    fixed_point_schema(12, 4),
]
Number20_4 = Annotated[
    Decimal,
    Field(max_digits=20, decimal_places=4, allow_inf_nan=False),
    AS_JSON_NUMBER,
    fixed_point_schema(20, 4),
]

ItemNumber = String25
"""An item identifier (`String (25)`)."""

LocationType = Literal["S", "W"]
"""S: store, W: warehouse."""

FulfillLocationType = Literal["S", "V"]
"""S: physical store, V: virtual store."""

SourceLocationType = Literal["SU", "ST", "WH"]
"""SU: supplier, ST: store, WH: warehouse."""

DeliveryType = Literal["S", "C"]
"""S: ship direct, C: customer pickup."""

ConfirmationType = Literal["C", "P", "X", "R"]
"""C: completely created, P: partially created, X: not created, R: inventory reservation."""

YesNo = Literal["Y", "N"]
