import pytest

from enrichment.config import Settings
from enrichment.domain.errors import SandboxTestDataError
from enrichment.domain.sandbox import SandboxTestData
from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES, Address, parse_one_line

LAKESIDE = Address("2270 LAKESIDE BLVD", "RICHARDSON", "TX", "75082")


def test_the_default_list_holds_the_known_good_address():
    sandbox = SandboxTestData.from_lines(Settings().sandbox_addresses)
    assert sandbox.known_good == LAKESIDE
    assert DEFAULT_MOCKED_ADDRESSES[0] == "2270 LAKESIDE BLVD, RICHARDSON, TX 75082"


@pytest.mark.parametrize(
    "address",
    [
        LAKESIDE,
        Address("2270 Lakeside Blvd.", "Richardson", "tx", "75082-1234"),
        Address(" 2270  LAKESIDE BLVD ", "RICHARDSON", "TX", "75082"),
    ],
)
def test_mocked_addresses_match_ignoring_case_blanks_punctuation_and_zip4(address):
    SandboxTestData((LAKESIDE,)).check_site_address(address)


def test_another_address_fails_as_test_data_naming_the_known_good_one():
    sandbox = SandboxTestData((LAKESIDE,))
    with pytest.raises(SandboxTestDataError) as refused:
        sandbox.check_site_address(Address("3400 W Plano", "Plano", "TX", "75075"))
    assert "3400 W Plano, Plano, TX 75075" in str(refused.value)
    assert "2270 LAKESIDE BLVD, RICHARDSON, TX 75082" in str(refused.value)


def test_the_list_is_configurable(monkeypatch):
    monkeypatch.setenv(
        "SANDBOX_ADDRESSES", '["1 MAIN ST, DALLAS, TX 75201", "2270 LAKESIDE BLVD, RICHARDSON, TX 75082"]'
    )
    sandbox = SandboxTestData.from_lines(Settings().sandbox_addresses)
    assert sandbox.known_good == Address("1 MAIN ST", "DALLAS", "TX", "75201")
    assert sandbox.is_mocked(LAKESIDE)


def test_parse_one_line_refuses_other_shapes():
    with pytest.raises(ValueError, match="STREET, CITY"):
        parse_one_line("2270 LAKESIDE BLVD RICHARDSON TX")
    with pytest.raises(ValueError, match="at least one"):
        SandboxTestData.from_lines([])
