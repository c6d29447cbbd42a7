"""What the routes need: the database pool, the caller's identity and the service's components."""

from __future__ import annotations

from dataclasses import dataclass

from inventory.config import Settings
from inventory.service_layer.batch_window import BatchWindow
from shared_http.caller import MerchandisingDep as MerchandisingDep
from shared_runtime.dependencies import PoolDep as PoolDep


@dataclass(frozen=True)
class Components:
    settings: Settings
    window: BatchWindow
