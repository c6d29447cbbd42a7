import pytest

from appointment.config import DEMO_PRODUCTION_ADDRESSES, Settings
from appointment.domain.errors import OutsideServiceAreaError
from appointment.domain.territories import Territory, TerritoryMap
from appointment.service_layer.rules import rules_from
from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES, Address, parse_one_line

TEXAS = Territory("TX", "Texas", "TX")
DALLAS = Territory("DAL", "Dallas", "TX", ("750", "752"))
RICHARDSON = Territory("RICH", "Richardson", "TX", ("75082",))


def site(state: str, postal: str) -> Address:
    return Address("1 MAIN ST", "SOMEWHERE", state, postal)


def test_the_longest_matching_zip_prefix_wins_over_a_whole_state():
    territories = TerritoryMap.of([TEXAS, DALLAS, RICHARDSON])
    assert territories.territory_for(site("TX", "75082")) == RICHARDSON
    assert territories.territory_for(site("TX", "75080")) == DALLAS
    assert territories.territory_for(site("TX", "78701")) == TEXAS


def test_state_and_zip_are_compared_without_case_blanks_or_zip4():
    territories = TerritoryMap.of([DALLAS])
    assert territories.territory_for(site(" tx ", "75082-1234")) == DALLAS


def test_a_site_no_territory_covers_is_outside_the_service_area():
    territories = TerritoryMap.of([DALLAS])
    with pytest.raises(OutsideServiceAreaError, match=r"No service territory covers .* IL 60606"):
        territories.territory_for(site("IL", "60606"))
    with pytest.raises(OutsideServiceAreaError):
        territories.territory_for(site("TX", "77002"))


def test_territory_ids_are_unique():
    with pytest.raises(ValueError, match="unique"):
        TerritoryMap.of([DALLAS, Territory("DAL", "Other", "TX")])


def test_the_default_territories_cover_the_sandbox_address_and_every_demo_production_address():
    rules = rules_from(Settings())
    assert (
        rules.territories.territory_for(parse_one_line(DEFAULT_MOCKED_ADDRESSES[0])).territory_id == "TX-DFW"
    )
    covering = {
        line: rules.territories.territory_for(parse_one_line(line)).territory_id
        for line in DEMO_PRODUCTION_ADDRESSES
    }
    assert covering == {
        "3400 W PLANO PKWY, PLANO, TX 75075": "TX-DFW",
        "901 BAGBY ST, HOUSTON, TX 77002": "TX-HOU",
        "1100 CONGRESS AVE, AUSTIN, TX 78701": "TX-AUS",
        "233 S WACKER DR, CHICAGO, IL 60606": "IL-CHI",
    }


def test_territories_are_configurable_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(
        "TERRITORIES", '[{"id": "OK-TUL", "name": "Tulsa", "state": "OK", "postalPrefixes": ["741"]}]'
    )
    rules = rules_from(Settings())
    assert rules.territories.territory_for(site("OK", "74103")).territory_id == "OK-TUL"
