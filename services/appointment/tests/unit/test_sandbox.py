import pytest

from appointment.config import Settings
from appointment.domain.errors import SandboxTestDataError
from appointment.domain.sandbox import SandboxTestData
from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES, Address, parse_one_line

LAKESIDE = Address("2270 LAKESIDE BLVD", "RICHARDSON", "TX", "75082")


def test_the_default_list_is_enrichments_and_holds_the_known_good_address():
    assert DEFAULT_MOCKED_ADDRESSES[0] == "2270 LAKESIDE BLVD, RICHARDSON, TX 75082"
    assert SandboxTestData.from_lines(Settings().sandbox_addresses).known_good == LAKESIDE


@pytest.mark.parametrize(
    "address",
    [
        LAKESIDE,
        Address("2270 Lakeside Blvd.", "Richardson", "tx", "75082-1234"),
        Address(" 2270  LAKESIDE BLVD ", "RICHARDSON", "TX", "75082"),
    ],
)
def test_mocked_addresses_match_ignoring_case_blanks_punctuation_and_zip4(address: Address):
    SandboxTestData((LAKESIDE,)).check_site_address(address)


def test_another_site_is_missing_test_data_naming_the_known_good_address():
    with pytest.raises(SandboxTestDataError) as refused:
        SandboxTestData((LAKESIDE,)).check_site_address(Address("3400 W PLANO PKWY", "PLANO", "TX", "75075"))
    assert "3400 W PLANO PKWY, PLANO, TX 75075" in str(refused.value)
    assert "2270 LAKESIDE BLVD, RICHARDSON, TX 75082" in str(refused.value)


def test_an_empty_list_or_a_malformed_line_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        SandboxTestData.from_lines([])
    with pytest.raises(ValueError, match="STREET, CITY, ST POSTALCODE"):
        parse_one_line("2270 LAKESIDE BLVD RICHARDSON")


def test_an_api_site_address_reads_postal_code_or_zip():
    assert (
        Address.from_json({"street": "S", "city": "C", "state": "TX", "postalCode": "75082"}).zip5 == "75082"
    )
    assert Address.from_json({"street": "S", "city": "C", "state": "TX", "zip": "75082-1"}).zip5 == "75082"
