"""Service territories: which technicians' area a site belongs to, by state and ZIP prefix."""

from collections.abc import Sequence
from dataclasses import dataclass

from appointment.domain.errors import OutsideServiceAreaError
from shared_contracts.sandbox import Address


@dataclass(frozen=True)
class Territory:
    territory_id: str
    name: str
    state: str
    postal_prefixes: tuple[str, ...] = ()
    """ZIP prefixes served (e.g. `750`); empty: the whole state."""

    def match_length(self, address: Address) -> int | None:
        """How specifically this territory covers `address` (longest prefix), or None."""
        if address.state_code != self.state.upper():
            return None
        if not self.postal_prefixes:
            return 0
        lengths = [len(prefix) for prefix in self.postal_prefixes if address.zip5.startswith(prefix)]
        return max(lengths) if lengths else None


@dataclass(frozen=True)
class TerritoryMap:
    territories: tuple[Territory, ...]

    def __post_init__(self) -> None:
        ids = [territory.territory_id for territory in self.territories]
        if len(ids) != len(set(ids)):
            raise ValueError(f"territory ids must be unique: {ids}")

    @classmethod
    def of(cls, territories: Sequence[Territory]) -> "TerritoryMap":
        return cls(tuple(territories))

    def territory_for(self, address: Address) -> Territory:
        """The most specific territory covering the site (first configured wins a tie)."""
        best: Territory | None = None
        best_length = -1
        for territory in self.territories:
            length = territory.match_length(address)
            if length is not None and length > best_length:
                best, best_length = territory, length
        if best is None:
            raise OutsideServiceAreaError(
                f"No service territory covers the site '{address.one_line()}' "
                f"({address.state_code} {address.zip5}); service appointments cannot be scheduled there."
            )
        return best
