"""What the appointment rules refuse, independent of how it is reported (HTTP, logs)."""


class DomainError(Exception):
    """A request that the rules refuse."""


class NotFoundError(DomainError):
    """A sub-order or appointment that does not exist for the caller (or at all)."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier} not found")
        self.kind = kind
        self.identifier = identifier


class StepIncompleteError(DomainError):
    """A step that must come before this one is not complete (installation before dates)."""

    def __init__(self, step: str) -> None:
        super().__init__(f"Previous Step ({step}) is not complete.")
        self.step = step


class SandboxTestDataError(DomainError):
    """A sandbox site address outside the mocked test data (never an authorization problem)."""


class OutsideServiceAreaError(DomainError):
    """No service territory covers the site."""


class SlotUnavailableError(DomainError):
    """The window asked for is not offered to the sub-order, or is full."""


class NotCancellableError(DomainError):
    """The appointment's state does not allow cancelling it (completed or failed)."""


class InvalidTransitionError(DomainError):
    """A change of appointment state that TMF646's lifecycle does not allow."""
