"""The lifecycle every service shares: settings, pool, migrations, Kafka, relay, HTTP."""

from shared_runtime.service import Consumes, ServiceDefinition, ServiceRuntime, main, migrate, run
from shared_runtime.settings import ServiceSettings

__all__ = ["Consumes", "ServiceDefinition", "ServiceRuntime", "ServiceSettings", "main", "migrate", "run"]
