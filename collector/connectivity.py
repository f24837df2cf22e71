"""Is this machine online? A DNS lookup plus TCP connect to a few well-known hosts, all at once,
with one short deadline. ``waakhond sources import --default`` imports the public sources
disabled when this says no."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence

# Hosts of the default sources themselves: if none of them answers, the defaults cannot work.
PROBE_HOSTS = (("feeds.nos.nl", 443), ("www.rijksoverheid.nl", 443), ("www.nu.nl", 443))
PROBE_TIMEOUT_SECONDS = 3.0


def network_available(hosts: Sequence[tuple[str, int]] = PROBE_HOSTS, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """True as soon as one host resolves and accepts a TCP connection within ``timeout``.

    The probes run on daemon threads because a stuck resolver ignores socket timeouts; the
    caller never waits longer than ``timeout`` and never waits for them at exit."""
    reachable = threading.Event()
    finished = threading.Semaphore(0)

    def probe(host: str, port: int) -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                reachable.set()
        except OSError:  # no DNS, no route, refused, timed out
            pass
        finally:
            finished.release()

    for host, port in hosts:
        threading.Thread(target=probe, args=(host, port), daemon=True, name=f"probe-{host}").start()


    deadline = time.monotonic() + timeout
    for _ in hosts:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not finished.acquire(timeout=remaining) or reachable.is_set():
            break
    return reachable.is_set()
