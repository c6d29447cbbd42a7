"""The heap a process holds once started is kept out of the cycle collector's full passes.

After start-up a service holds some 150,000 long-lived objects (modules, pydantic and FastAPI
schemas, OpenTelemetry, pools, clients). CPython's full collection (generation 2) walks all of
them with the event loop stopped: 100-800 ms per pass, measured in the benchmark platform's
services under load, and every request in flight waits that long. `gc.freeze()` moves them to the
permanent generation, which no collection walks; later passes walk only what came after (a few
thousand objects, a few ms). Frozen objects are still freed by reference counting; only a
reference cycle among them that is broken later is never reclaimed, so garbage is collected first.
"""

import gc


def freeze_heap() -> int:
    """Collect the garbage, then freeze every object left; returns how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
