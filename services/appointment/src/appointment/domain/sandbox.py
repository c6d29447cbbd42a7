"""Appointments in the sandbox: the platform's mocked-address rule, failing as missing test data."""

from appointment.domain.errors import SandboxTestDataError
from shared_contracts import sandbox


class SandboxTestData(sandbox.SandboxTestData):
    error = SandboxTestDataError
    problem = "has no mocked service appointment data in the sandbox"
