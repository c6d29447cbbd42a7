"""The exceptions that mean "the database cannot be reached or cannot serve now", not "bad request".

HTTP answers them with 503 UNAVAILABLE (the caller may retry); consumers retry the message instead
of dead-lettering it.
"""

import asyncpg

DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # connection refused or reset
    TimeoutError,  # a bounded wait (pool acquire, statement timeout on connect) ran out
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # the client connection's state (closed, pool closing)
    asyncpg.InsufficientResourcesError,  # too many connections, disk full, out of memory
    asyncpg.OperatorInterventionError,  # starting up, shutting down, admin shutdown
)
