"""The portal's outbound calls: a queue server posting form-encoded requests to applications."""
from __future__ import annotations

import collections
import random
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from .phpquery import flatten

if TYPE_CHECKING:  # pragma: no cover
    from .state import Portal

TIMEOUT = 10.0  # seconds an application gets to answer one delivery


@dataclass
class _Item:
    url: str
    fields: list[tuple[str, str]]
    kind: str
    query: list[tuple[str, str]] | None
    due: float  # monotonic time before which the queue holds the item


class Outbox:
    """One background sender; deliveries are tried once, never retried (like the real queue)."""

    def __init__(self, portal: "Portal"):
        self.portal = portal
        self.rng = random.Random()
        self._items: collections.deque[_Item] = collections.deque()
        self._busy = 0
        self._stopping = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    # ---- lifecycle
    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT + 1)

    def seed(self, seed: int | None) -> None:
        """Make `p_drop_events` decisions reproducible."""
        self.rng = random.Random(seed)

    # ---- posting
    def post_async(self, url: str, fields: dict, kind: str, query: dict | None = None) -> None:
        """Queue one form-encoded POST (events wait `config.event_delay` first)."""
        delay = self.portal.config.event_delay if kind == "event" else 0.0
        item = _Item(url, flatten(fields), kind, flatten(query) if query else None, time.monotonic() + delay)
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def post_now(self, url: str, fields: dict, kind: str, query: dict | None = None) -> tuple[int, dict, str]:
        """POST synchronously; status 0 means the application could not be reached. A page (install page,
        placement) follows a 307/308 as the user's browser would, posting the same form on."""
        pairs = flatten(fields)
        params = flatten(query) if query else None
        browser = kind in ("install", "placement")
        try:
            resp = requests.post(url, data=pairs, params=params, timeout=TIMEOUT, allow_redirects=browser)
        except requests.RequestException as exc:
            self._log(kind, url, None, _describe(exc))
            return 0, {}, ""
        self._log(kind, url, resp.status_code, None)
        return resp.status_code, dict(resp.headers), resp.text

    def drain(self, timeout: float = 30.0) -> bool:
        """Block until every queued delivery was attempted; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._items and not self._busy, timeout)

    def discard(self, timeout: float = 30.0) -> None:
        """Drop every queued delivery and wait for the one under way, if any (a portal put back)."""
        with self._cond:
            self._items.clear()
            self._cond.wait_for(lambda: not self._busy, timeout)

    def pending(self) -> int:
        with self._cond:
            return len(self._items) + self._busy

    # ---- the sender thread
    def _run(self) -> None:
        session = requests.Session()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._items or self._stopping)
                if self._stopping:
                    self._items.clear()
                    self._cond.notify_all()
                    return
                item = self._items.popleft()
                self._busy += 1
            try:
                if self._hold(item):
                    self._deliver(session, item)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _hold(self, item: _Item) -> bool:
        """Wait until the item is due; False when the outbox is stopping."""
        with self._cond:
            while not self._stopping:
                left = item.due - time.monotonic()
                if left <= 0:
                    return True
                self._cond.wait(left)
            return False

    def _deliver(self, session: requests.Session, item: _Item) -> None:
        if item.kind == "event" and self._dropped():
            self._log(item.kind, item.url, None, "dropped (fault injection)")
            return
        try:
            resp = session.post(item.url, data=item.fields, params=item.query, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as exc:
            self._log(item.kind, item.url, None, _describe(exc))
            return
        self._log(item.kind, item.url, resp.status_code, None)

    def _dropped(self) -> bool:
        share = float(self.portal.faults.get("p_drop_events") or 0.0)
        return share > 0 and self.rng.random() < share

    def _log(self, kind: str, url: str, status: int | None, error: str | None) -> None:
        entry = {"kind": kind, "url": url, "status": status, "error": error, "ts": self.portal.clock.now()}
        with self.portal.lock:
            self.portal.outbound_log.append(entry)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
