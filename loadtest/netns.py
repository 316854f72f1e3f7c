"""Hosts apart on one machine: Linux network namespaces joined by veth pairs.

Each host is a namespace; each pair of hosts that talk has its own veth pair and /30
subnet, so one link can be cut without touching the others. The drill's own process (the
phones, the SMTP stub) stays in the root namespace and reaches a host over a link of its
own. Everything made here has a random tag in its name and is removed by ``remove()``
(also at exit): namespaces, their processes, the root ends of the links.

A link is cut by taking the *server's* end down: the client's end loses its carrier but
keeps its route, so the client's packets vanish silently, as across a real partition
(taking the client's own end down would fail its connects at once with "network is
unreachable", kinder than a real network).
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import os
import secrets
import signal
import subprocess
from dataclasses import dataclass


def _ip(*args: str) -> str:
    command = ["ip", *args]  # iproute2 from PATH
    result = subprocess.run(command, check=True, capture_output=True, text=True, timeout=30)  # noqa: S603
    return result.stdout


def available() -> str | None:
    """Why namespaces cannot be used here, or None if they can."""
    if os.geteuid() != 0:
        return "not root"
    try:
        _ip("netns", "list")
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"ip netns unavailable: {exc}"
    return None


@dataclass(frozen=True)
class Link:
    client: str | None  # a host name, None for the root namespace
    server: str | None
    client_if: str
    server_if: str
    client_addr: str
    server_addr: str


class Hosts:
    def __init__(self, names: list[str], links: list[tuple[str | None, str | None]]) -> None:
        self.tag = secrets.token_hex(2)
        self.ns = {name: f"fj{self.tag}-{name}" for name in names}
        self.base = self._free_base()
        self.links: dict[tuple[str | None, str | None], Link] = {}
        for index, (client, server) in enumerate(links, start=1):
            net = f"10.{self.base}.{index}"
            self.links[(client, server)] = Link(
                client,
                server,
                f"fj{self.tag}{index}c",
                f"fj{self.tag}{index}s",
                f"{net}.1",
                f"{net}.2",
            )
        self._made: list[str] = []
        atexit.register(self.remove)

    @staticmethod
    def _free_base() -> int:
        """A 10.X.0.0/16 that no route of this machine touches."""
        routes = []
        for word in _ip("-4", "route", "show", "table", "all").split():
            with contextlib.suppress(ValueError):
                routes.append(ipaddress.ip_network(word, strict=False))
        for _ in range(100):
            base = 100 + secrets.randbelow(150)
            candidate = ipaddress.ip_network(f"10.{base}.0.0/16")
            if not any(candidate.overlaps(route) for route in routes):
                return base
        raise RuntimeError("no free 10.X.0.0/16 for the drill's links")

    def prefix(self, host: str) -> tuple[str, ...]:
        return ("ip", "netns", "exec", self.ns[host])

    def addr(self, client: str | None, server: str | None) -> str:
        """The server's address on the link from ``client``."""
        return self.links[(client, server)].server_addr

    def client_addr(self, client: str | None, server: str | None) -> str:
        return self.links[(client, server)].client_addr

    def create(self) -> Hosts:
        for ns in self.ns.values():
            _ip("netns", "add", ns)
            self._made.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
        for link in self.links.values():
            _ip("link", "add", link.client_if, "type", "veth", "peer", "name", link.server_if)
            for host, name, addr in (
                (link.client, link.client_if, link.client_addr),
                (link.server, link.server_if, link.server_addr),
            ):
                if host is not None:
                    _ip("link", "set", name, "netns", self.ns[host])
                where = ("-n", self.ns[host]) if host is not None else ()
                _ip(*where, "addr", "add", f"{addr}/30", "dev", name)
                _ip(*where, "link", "set", name, "up")
        return self

    def _server_end(self, client: str | None, server: str | None) -> tuple[str, ...]:
        link = self.links[(client, server)]
        where = ("-n", self.ns[link.server]) if link.server is not None else ()
        return (*where, "link", "set", link.server_if)

    def cut(self, client: str | None, server: str | None) -> None:
        _ip(*self._server_end(client, server), "down")

    def heal(self, client: str | None, server: str | None) -> None:
        _ip(*self._server_end(client, server), "up")

    def remove(self) -> list[str]:
        """Kill what still runs in our namespaces, delete them and our links; returns what
        is left over (nothing, unless removal failed)."""
        for ns in self._made:
            with contextlib.suppress(subprocess.CalledProcessError):
                for pid in _ip("netns", "pids", ns).split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("netns", "del", ns)
        for link in self.links.values():
            for name in (link.client_if, link.server_if):
                with contextlib.suppress(subprocess.CalledProcessError):
                    _ip("link", "del", name)  # gone with its namespace already, usually
        self._made = []
        left = [ns for ns in self.ns.values() if ns in _ip("netns", "list")]
        left += [
            name
            for link in self.links.values()
            for name in (link.client_if, link.server_if)
            if f" {name}@" in _ip("-o", "link", "show") or f" {name}:" in _ip("-o", "link", "show")
        ]
        return left
