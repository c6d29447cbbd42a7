"""A postal address as the domain sees it; the API's `postalCode` / `zip` are both `postal_code`."""

import re
from dataclasses import dataclass

_BLANKS = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[.,#]")


def _canonical(text: str) -> str:
    return _BLANKS.sub(" ", _PUNCTUATION.sub(" ", text)).strip().upper()


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    postal_code: str

    def matching_key(self) -> tuple[str, str, str, str]:
        """Case, blanks and punctuation ignored; ZIP+4 compared by its first five digits."""
        return (
            _canonical(self.street),
            _canonical(self.city),
            _canonical(self.state),
            _canonical(self.postal_code).split("-")[0][:5],
        )

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.postal_code}"


_ONE_LINE = re.compile(r"^\s*(?P<street>[^,]+),\s*(?P<city>[^,]+),\s*(?P<state>\S+)\s+(?P<postal>\S+)\s*$")


def parse_one_line(text: str) -> Address:
    """`2270 LAKESIDE BLVD, RICHARDSON, TX 75082` -> Address."""
    match = _ONE_LINE.match(text)
    if match is None:
        raise ValueError(f"not an address of the form 'STREET, CITY, ST POSTALCODE': {text!r}")
    return Address(match["street"].strip(), match["city"].strip(), match["state"], match["postal"])
