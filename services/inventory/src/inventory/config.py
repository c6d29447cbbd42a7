"""inventory settings: the shared ones plus this service's own."""

from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "inventory"
    http_port: int = 8083
