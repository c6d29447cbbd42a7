"""A fault-injecting TCP proxy, one process per proxied server (Kafka, PostgreSQL):

    python tests/faults/proxy.py LISTEN_PORT TARGET_PORT

Signals are its control channel: SIGUSR1 cuts every open connection (both sides reset, as a
broken network or a restarted load balancer does); SIGUSR2 toggles a blackout in which new
connections are accepted and reset at once. SIGTERM ends it.

Why our own and not toxiproxy: toxiproxy is a Go server binary; `make test` would need a Go
toolchain and the Go module proxy on a fresh machine, and the two faults this suite needs (cut,
refuse for a while) are a few lines of asyncio. It runs as its own process so the bytes of five
services do not compete with the test's load driver for one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import struct
import sys

HOST = "127.0.0.1"
CHUNK = 256 * 1024


class FaultProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.refusing = False
        self.open: set[asyncio.StreamWriter] = set()

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            reset(client_writer)
            return
        try:
            server_reader, server_writer = await asyncio.wait_for(
                asyncio.open_connection(HOST, self.target_port), 5
            )
        except (OSError, TimeoutError):
            reset(client_writer)
            return
        pair = {client_writer, server_writer}
        self.open |= pair
        # When either side ends (EOF or error), both end: a half-open connection would keep a
        # PostgreSQL backend, and the locks its transaction holds, alive after its client died.
        directions = [
            asyncio.create_task(pipe(client_reader, server_writer)),
            asyncio.create_task(pipe(server_reader, client_writer)),
        ]
        try:
            await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.open -= pair
            for writer in pair:
                reset(writer)
            for direction in directions:
                direction.cancel()
            await asyncio.gather(*directions, return_exceptions=True)

    def cut(self) -> None:
        for writer in list(self.open):
            reset(writer)

    def toggle_blackout(self) -> None:
        self.refusing = not self.refusing
        if self.refusing:
            self.cut()


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(CHUNK):
        writer.write(data)
        await writer.drain()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), not FIN: the peer sees a broken connection, not a clean end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def main(listen_port: int, target_port: int) -> None:
    proxy = FaultProxy(target_port)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, proxy.cut)
    loop.add_signal_handler(signal.SIGUSR2, proxy.toggle_blackout)
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    server = await asyncio.start_server(proxy.handle, HOST, listen_port, reuse_address=True)
    async with server:
        await stopped.wait()
        proxy.cut()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
