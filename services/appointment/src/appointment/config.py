"""appointment settings: the shared ones plus this service's own."""

from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "appointment"
    http_port: int = 8082
