"""Make a VAPID key pair (RFC 8292) for Web Push.

    python -m notify.vapid            # needs no Django settings
    python manage.py vapid_keys       # the same, once `notify` is an installed app

The private key goes into the environment as WEBPUSH_VAPID_PRIVATE_KEY; the public key is
the ``applicationServerKey`` the web app passes to ``pushManager.subscribe()``. Replacing the
pair invalidates every existing subscription (push services answer 403), so keep it stable.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@dataclass(frozen=True, slots=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte P-256 scalar: WEBPUSH_VAPID_PRIVATE_KEY
    public_key: str  # base64url of the 65-byte uncompressed point: applicationServerKey


def generate_vapid_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return VapidKeys(private_key=_b64url(scalar), public_key=_b64url(point))


def private_key_kept_in(path: Path) -> str:
    """The private key stored in ``path``, made there the first time (mode 0600).

    For development only (`make run`): the web process and the worker start together and
    must agree on one key, so the file is written under a temporary name and linked into
    place, which fails for all but the first; the others read the winner's key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(generate_vapid_keys().private_key + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def env_lines(keys: VapidKeys, subject: str = "mailto:admin@example.org") -> str:
    return (
        f"WEBPUSH_VAPID_PRIVATE_KEY={keys.private_key}\n"
        f"WEBPUSH_VAPID_SUBJECT={subject}\n"
        f"# applicationServerKey for pushManager.subscribe(): {keys.public_key}\n"
    )


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


if __name__ == "__main__":
    print(env_lines(generate_vapid_keys()), end="")
