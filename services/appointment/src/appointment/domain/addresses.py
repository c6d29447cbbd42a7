"""A site address as the rules see it, compared the way a person would (case, blanks, ZIP+4)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_BLANKS = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[.,#]")
_ONE_LINE = re.compile(r"^\s*(?P<street>[^,]+),\s*(?P<city>[^,]+),\s*(?P<state>\S+)\s+(?P<postal>\S+)\s*$")


def _canonical(text: str) -> str:
    return _BLANKS.sub(" ", _PUNCTUATION.sub(" ", text)).strip().upper()


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    postal_code: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Address":
        """The API's site address (`postalCode`; `zip` accepted too)."""
        postal = data.get("postalCode", data.get("zip", ""))
        return cls(str(data["street"]), str(data["city"]), str(data["state"]), str(postal))

    @property
    def state_code(self) -> str:
        return _canonical(self.state)

    @property
    def zip5(self) -> str:
        """The first five characters of the post code (ZIP+4 reduced to the ZIP)."""
        return _canonical(self.postal_code).split("-")[0][:5]

    def matching_key(self) -> tuple[str, str, str, str]:
        return (_canonical(self.street), _canonical(self.city), self.state_code, self.zip5)

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.postal_code}"


def parse_one_line(text: str) -> Address:
    """`2270 LAKESIDE BLVD, RICHARDSON, TX 75082` -> Address."""
    match = _ONE_LINE.match(text)
    if match is None:
        raise ValueError(f"not an address of the form 'STREET, CITY, ST POSTALCODE': {text!r}")
    return Address(match["street"].strip(), match["city"].strip(), match["state"], match["postal"])
