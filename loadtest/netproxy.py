"""A TCP proxy that makes a link slow and lossy, for the partition drill.

This kernel has no ``netem`` qdisc, so latency and loss are made here, in the path: the
web host reaches PostgreSQL only through this proxy, run in the web host's namespace.
Every chunk read from either side is forwarded after ``delay_ms`` ± ``jitter_ms``
(uniform), in order; with probability ``loss`` a chunk is also held for a retransmission
(``RETRANSMIT_MS`` more), which is what a lost segment is to the application over TCP: not
missing bytes, a late arrival. The control file (JSON ``{"delay_ms": 200, "jitter_ms": 50,
"loss": 0.05}``, re-read every 0.2 s) changes the link while connections are open; without
one, or with ``{}``, it forwards at once.

    python -m loadtest.netproxy --listen 127.0.0.1:6432 --target 10.0.0.2:5432 --control F
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
from pathlib import Path

RETRANSMIT_MS = 400  # about Linux's minimum RTO (200 ms) plus this link's round trip


class Link:
    def __init__(self, control: Path) -> None:
        self.control = control
        self.delay_ms = self.jitter_ms = 0.0
        self.loss = 0.0

    async def watch(self) -> None:
        while True:
            try:
                settings = json.loads(self.control.read_text() or "{}")
            except (OSError, ValueError):
                settings = {}
            self.delay_ms = float(settings.get("delay_ms", 0))
            self.jitter_ms = float(settings.get("jitter_ms", 0))
            self.loss = float(settings.get("loss", 0))
            await asyncio.sleep(0.2)

    def lateness(self) -> float:
        """Seconds this chunk is held."""
        if not self.delay_ms:
            return 0.0
        late = self.delay_ms + random.uniform(-self.jitter_ms, self.jitter_ms)
        if random.random() < self.loss:
            late += RETRANSMIT_MS
        return max(0.0, late) / 1000


async def _pipe(link: Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            if not chunk:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    last_due = 0.0
    try:
        while chunk := await reader.read(65536):
            # In order: a chunk never overtakes the one before (TCP delivers in sequence).
            last_due = max(last_due, loop.time() + link.lateness())
            queue.put_nowait((last_due, chunk))
    except OSError:
        pass
    finally:
        queue.put_nowait((0.0, b""))
        with contextlib.suppress(OSError):
            await sender
        writer.close()


async def _serve(listen: tuple[str, int], target: tuple[str, int], link: Link) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(
            _pipe(link, client_r, upstream_w),
            _pipe(link, upstream_r, client_w),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, *listen)
    async with server:
        await asyncio.gather(link.watch(), server.serve_forever())


def _address(text: str) -> tuple[str, int]:
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=_address, required=True)
    parser.add_argument("--target", type=_address, required=True)
    parser.add_argument("--control", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(_serve(args.listen, args.target, Link(args.control)))


if __name__ == "__main__":
    main()
