"""The Web Push service stub (tests/notify/servers.py) as a process of its own, for drills
whose worker runs in another network namespace.

The app sends push only to public addresses, or to loopback when a test suite says so
(``WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS``): a stub in the drill's own namespace would be a
private address to the worker. Started with ``ip netns exec <worker's namespace>``, this
one listens on that namespace's loopback, so the worker reaches it as it would reach a push
service, and the drill reads what arrived from files:

    python -m loadtest.pushstub --subscriptions N --key VAPID_PUBLIC --out DIR

writes DIR/subscriptions.json (N PushSubscription JSONs, made with that VAPID key) once
listening, then DIR/deliveries.json (each delivery's subscription id and decrypted payload)
every 0.2 s until SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from tests.notify.servers import PushServiceStub


def _write(path: Path, value: object) -> None:
    part = path.with_suffix(".part")
    part.write_text(json.dumps(value))
    part.replace(path)  # readers never see half a file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, required=True)
    parser.add_argument("--key", required=True, help="the VAPID public key, base64url")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with PushServiceStub(application_server_key=args.key) as stub:
        _write(
            args.out / "subscriptions.json",
            [stub.subscribe() for _ in range(args.subscriptions)],
        )
        while True:
            done = stopped.wait(0.2)
            _write(
                args.out / "deliveries.json",
                {
                    "deliveries": [
                        {"subscription": d.subscription_id, "payload": d.json()}
                        for d in stub.deliveries
                    ],
                    "refused": stub.errors.snapshot(),
                },
            )
            if done:
                return


if __name__ == "__main__":
    main()
