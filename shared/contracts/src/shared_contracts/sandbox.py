"""The sandbox's mocked site addresses (ARCHITECTURE.md, Security): a sandbox client's site outside
them fails as missing test data, never as an authorization problem. One rule for every service.

Addresses compare the way a person would: case, blanks and punctuation ignored, ZIP+4 by its ZIP.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

_BLANKS = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[.,#]")
_ONE_LINE = re.compile(r"^\s*(?P<street>[^,]+),\s*(?P<city>[^,]+),\s*(?P<state>\S+)\s+(?P<postal>\S+)\s*$")

DEFAULT_MOCKED_ADDRESSES = ("2270 LAKESIDE BLVD, RICHARDSON, TX 75082",)


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


@dataclass(frozen=True)
class SandboxTestData:
    """Services subclass it to name their error and what is missing (`problem`)."""

    error: ClassVar[type[Exception]] = ValueError
    problem: ClassVar[str] = "is not mocked in the sandbox test data"

    mocked_addresses: tuple[Address, ...]

    @classmethod
    def from_lines(cls, lines: Sequence[str]) -> Self:
        if not lines:
            raise ValueError("the sandbox needs at least one mocked address")
        return cls(tuple(parse_one_line(line) for line in lines))

    @property
    def known_good(self) -> Address:
        return self.mocked_addresses[0]

    def is_mocked(self, address: Address) -> bool:
        return address.matching_key() in {mocked.matching_key() for mocked in self.mocked_addresses}

    def check_site_address(self, address: Address) -> None:
        if not self.is_mocked(address):
            raise self.error(
                f"Site address '{address.one_line()}' {self.problem}. "
                f"Use a known-good test address such as '{self.known_good.one_line()}' "
                "(this limitation does not exist in production)."
            )
