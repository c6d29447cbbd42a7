"""The copies in docs/reference (read by the conformance tests) are the documents beside the repository."""

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
REFERENCE = REPOSITORY / "docs" / "reference"
ORIGINALS = REPOSITORY.parent / "shared"
COPIES = sorted(path.relative_to(REFERENCE) for path in REFERENCE.rglob("*.*") if path.name != "README.md")


def test_the_conformance_tests_have_their_documents():
    assert {str(path) for path in COPIES} >= {
        "spec/merchandising-customer-orders-api.txt",
        "spec/order-enrichment-api.txt",
        "design/EVENTS.md",
    }


@pytest.mark.parametrize("relative", COPIES, ids=str)
def test_copy_matches_its_original(relative: Path):
    original = ORIGINALS / relative
    if not original.exists():
        pytest.skip(f"{original} is not beside the repository; the copy is all there is")
    assert (REFERENCE / relative).read_bytes() == original.read_bytes(), (
        f"docs/reference/{relative} differs from {original}: copy the original again"
    )
