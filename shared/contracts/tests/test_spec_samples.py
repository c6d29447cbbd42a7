"""The sample messages shipped with the package are the specification's, character for character."""

from pathlib import Path

from shared_contracts.merchandising import SPEC_SAMPLES, read_spec_sample

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "reference"
SPEC = REFERENCE / "spec" / "merchandising-customer-orders-api.txt"
SAMPLE_HEADINGS = ("Sample Input Message", "Sample Response Message")


def samples_in_spec() -> list[str]:
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    samples = []
    for index, line in enumerate(lines):
        if line.strip() in SAMPLE_HEADINGS:
            end = next(at for at in range(index + 1, len(lines)) if lines[at].startswith("Response Code"))
            samples.append("\n".join(lines[index + 1 : end]).strip() + "\n")
    return samples


def test_the_shipped_samples_are_the_specification_samples_in_order():
    assert [read_spec_sample(name) for name in SPEC_SAMPLES] == samples_in_spec()
