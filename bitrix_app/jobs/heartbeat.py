"""Keep a short claim (a lease, a lock) alive from a small thread while its holder works."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


class Heartbeat:
    """Calls `renew` every `interval` seconds of real time from a small daemon thread, also while the holder
    waits on the portal's rate limit. `renew` answers whether the claim is still ours; `lost` turns True
    once it is not. The holder may call `beat()` itself between units of work."""

    def __init__(self, renew: Callable[[], bool], interval: float, label: str):
        self.renew, self.interval, self.label = renew, max(0.05, interval), label
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> bool:
        try:
            if not self.renew():
                self.lost = True
        except Exception as exc:  # noqa: BLE001 - a missed beat is retried; the TTL has slack for two
            log.warning("claim %s: renewal failed (%s)", self.label, type(exc).__name__)
        return not self.lost

    def _loop(self) -> None:
        while not self._stop.wait(self.interval) and not self.lost:
            self.beat()

    def __enter__(self) -> "Heartbeat":
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{self.label}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __exit__(self, *exc) -> None:
        self.stop()
