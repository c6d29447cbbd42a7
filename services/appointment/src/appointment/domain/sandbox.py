"""The sandbox's mocked site addresses: anything else fails as missing test data."""

from collections.abc import Sequence
from dataclasses import dataclass

from appointment.domain.addresses import Address, parse_one_line
from appointment.domain.errors import SandboxTestDataError


@dataclass(frozen=True)
class SandboxTestData:
    mocked_addresses: tuple[Address, ...]

    @classmethod
    def from_lines(cls, lines: Sequence[str]) -> "SandboxTestData":
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
            raise SandboxTestDataError(
                f"Site address '{address.one_line()}' has no mocked service appointment data in the "
                f"sandbox. Use a known-good test address such as '{self.known_good.one_line()}' "
                "(this limitation does not exist in production)."
            )
