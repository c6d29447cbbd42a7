"""gateway settings: the shared ones plus this service's own."""

from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8080
