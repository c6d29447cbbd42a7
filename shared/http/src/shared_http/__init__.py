"""HTTP conventions every service shares: the standard error body, header checks, health, metrics."""

from shared_http.app import create_app
from shared_http.errors import ApiError
from shared_http.session import create_session

__all__ = ["ApiError", "create_app", "create_session"]
