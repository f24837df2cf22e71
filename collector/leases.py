"""Who holds a source while fetching it: lease owner ids and the stale-owner decision.

An owner id is ``<host>:<pid>:<random>``. A lease whose owner is a process of *this* host
that no longer exists (killed mid-run) can be taken over at once instead of waiting for it to
expire; leases of other hosts are only ever taken after expiry.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterable

OWNER_TOKEN_BYTES = 4


def new_owner_id(prefix: str | None = None) -> str:
    base = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(OWNER_TOKEN_BYTES)}"
    return f"{prefix}:{base}" if prefix else base


def parse_owner(owner: str) -> tuple[str, int] | None:
    """``(host, pid)`` of an owner id, or None when it is not one of ours."""
    parts = owner.rsplit(":", 3)
    if len(parts) < 3 or not parts[-2].isdigit():
        return None
    return parts[-3], int(parts[-2])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def dead_local_owners(
    holders: Iterable[str], hostname: str, me: str, is_alive: Callable[[int], bool] = pid_alive
) -> set[str]:
    """The holders that were processes on ``hostname`` and are gone. Never ``me``."""
    dead = set()
    for owner in holders:
        if owner == me:
            continue
        parsed = parse_owner(owner)
        if parsed and parsed[0] == hostname and not is_alive(parsed[1]):
            dead.add(owner)
    return dead
