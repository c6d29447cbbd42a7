"""Installation in the sandbox: the platform's mocked-address rule, failing as missing test data."""

from enrichment.domain.errors import SandboxTestDataError
from shared_contracts import sandbox


class SandboxTestData(sandbox.SandboxTestData):
    error = SandboxTestDataError
    problem = "is not mocked in the sandbox test data"
