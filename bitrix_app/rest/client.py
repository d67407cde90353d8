"""PortalClient: every call to a portal goes through here, on fast-bitrix24, under the governor."""
from __future__ import annotations

import asyncio
import contextvars
import json
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Sequence

import aiohttp
from fast_bitrix24 import BitrixAsync

from . import tls
from .batching import BatchResult, checked_groups, chunks
from .errors import (
    CertificateUntrusted, MethodBudgetExhausted, OutcomeUnknown, PortalCallError, PortalError, PortalUnavailable,
    RateLimited, TokenExpired,
)
from .governor import Governor
from .groups import run_groups

Commands = Mapping[str, tuple[str, Mapping | None]]
# event.bind and every batched write carry it, so the portal does not send the app's own changes back
AUTH_CONNECTOR = "shop_loop_app"
_methods: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("methods", default=())


@dataclass
class _Send:
    """One `_send`, across fast-bitrix24's attempts: may its request have run on the portal?"""
    writes: bool
    sent: bool = False  # this attempt's request reached the wire
    unknown: str | None = None  # why the outcome is unknown; no further attempt is made


_sending: contextvars.ContextVar[_Send | None] = contextvars.ContextVar("sending", default=None)


class PortalClient:
    """A portal's REST API for one lane of work; sync methods for Flask views and RQ jobs."""

    def __init__(self, member_id: str, tokens, governor: Governor, lane: str = "normal",
                 timeout: float = 60.0, concurrency: int = 4, ca_bundle: str | None = None):
        self.member_id, self.tokens, self.governor, self.lane = member_id, tokens, governor, lane
        self.ca_bundle = ca_bundle  # B24_CA_BUNDLE: the CAs the portal's certificate must chain to (None: defaults)
        self.timeout, self.concurrency = timeout, concurrency
        self._handed = None  # the token version we last handed to fast-bitrix24
        self._refreshed_at = 0.0
        self._refreshes = 0
        self._first = True
        self._labels: dict[str, str] = {}
        self._srh = None  # fast-bitrix24's request handler of the running session

    # ---- public, synchronous
    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """One method; returns its `result`; raises PortalError on a method error."""
        return self.call_raw(method, params).get("result")

    def call_raw(self, method: str, params: Mapping[str, Any] | None = None) -> dict:
        """One method; returns the whole envelope (`result`, `total`, `next`, `time`)."""
        return self._run(lambda bx: self._send(bx, method, dict(params or {}), (method,)))

    def batch(self, commands: Commands, halt: bool = False, writes: bool = False) -> BatchResult:
        """Many commands, 50 per HTTP request, requests concurrent; see `batch_groups` for the answer."""
        labels = list(commands)
        return self.batch_groups([{l: commands[l] for l in part} for part in chunks(labels)], halt, writes)

    def batch_groups(self, groups: Sequence[Commands], halt: bool = False, writes: bool = False) -> BatchResult:
        """Each group is one `batch` request (so `$result[label]` works inside it); groups run concurrently.

        Per-command errors come back in `errors`; the labels of a request that failed as a whole
        (portal unreachable, retries exhausted, outcome unknown) in `failed`, next to the other
        requests' answers. `writes=True`: a request that may have run is never sent again; its
        labels end in `failed`. Raises TokenExpired and PortalBlocked; MethodBudgetExhausted only
        when it stopped every request (nothing ran). At most 50 commands a group; labels unique.
        """
        if writes:  # our own changes must not come back to us as portal events
            groups = [{label: (method, {**(params or {}), "auth_connector": AUTH_CONNECTOR})
                       for label, (method, params) in group.items()} for group in groups]
        checked = checked_groups(groups)
        return self._run(lambda bx: self._batch(bx, checked, halt, writes))

    def list_all(self, method: str, params: Mapping[str, Any] | None = None, id_field: str = "ID") -> list[dict]:
        """Every row of a large list: `>ID` paging with `start=-1` (no COUNT), as the docs advise."""
        return self._run(lambda bx: self._list_all(bx, method, dict(params or {}), id_field))

    # ---- async internals
    def _run(self, work: Callable[[BitrixAsync], Awaitable[Any]]) -> Any:
        self._refreshes, self._first = 0, True
        return asyncio.run(self._session(work))

    async def _session(self, work):
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(self._before_request)
        trace.on_request_headers_sent.append(self._on_sent)
        trace.on_request_exception.append(self._on_request_exception)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        # the connector carries the trust: the CA bundle setting, or the default trust store
        connector = aiohttp.TCPConnector(ssl=tls.ssl_context(self.ca_bundle))
        async with aiohttp.ClientSession(raise_for_status=self._check, trace_configs=[trace], timeout=timeout,
                                         connector=connector) as session:
            stored = await asyncio.to_thread(self.tokens.current, self.member_id)
            self._handed = stored
            bx = BitrixAsync(
                stored.client_endpoint, token_func=self._token, verbose=False, respect_velocity_policy=True,
                request_pool_size=1_000_000, requests_per_second=1_000_000.0, client=session,
                # time.operating is already the method's 10-minute sum; fast-bitrix24 would add the
                # sums up and stall for minutes, so its window is off and the governor owns budgets
                operating_time_limit=10**9,
                ssl=True,  # verified, with the session connector's context
            )
            self._srh = bx.srh
            try:
                return await work(bx)
            except RuntimeError as exc:  # fast-bitrix24 gave up after its retries
                raise RateLimited(f"portal kept failing: {exc}") from exc
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                raise PortalUnavailable(f"portal unreachable: {type(exc).__name__}") from exc

    async def _token(self) -> str:
        """First the stored token; after a 401 a refresh (single-flight across processes)."""
        if self._first:
            self._first = False
            return self._handed.access_token
        try:
            return await self._fresh_token()
        except BaseException:
            self._srh.token_received.set()  # fast-bitrix24 leaves the other requests waiting otherwise
            raise

    async def _fresh_token(self) -> str:
        self._refreshes += 1
        if self._refreshes > 3:
            raise TokenExpired("the portal kept rejecting fresh tokens")
        if time.monotonic() - self._refreshed_at < 10:
            stored = await asyncio.to_thread(self.tokens.current, self.member_id)
        else:
            stored = await asyncio.to_thread(self.tokens.refresh, self.member_id, self._handed.version)
            self._refreshed_at = time.monotonic()
        self._handed = stored
        return stored.access_token

    async def _before_request(self, _session, _ctx, _params) -> None:
        send = _sending.get()
        if send is not None:
            if send.unknown:  # fast-bitrix24 is retrying a write that may have run: stop it here
                raise OutcomeUnknown(send.unknown)
            send.sent = False
        await self.governor.admit(self.lane, _methods.get())

    async def _on_sent(self, _session, _ctx, _params) -> None:
        send = _sending.get()
        if send is not None:
            send.sent = True

    async def _on_request_exception(self, _session, _ctx, params) -> None:
        """A network failure (timeout, dropped connection) after a write went out: outcome unknown.

        A certificate we do not trust is raised as CertificateUntrusted right here, before fast-bitrix24
        could take it for a dropped connection and try again."""
        send, exc = _sending.get(), params.exception
        reason = tls.untrusted(exc)
        if reason is not None:
            raise CertificateUntrusted(str(params.url), reason) from exc
        if send is None or not send.writes or not send.sent or send.unknown:
            return
        if not isinstance(exc, (aiohttp.ClientResponseError, PortalCallError)):  # those carry a full answer
            send.unknown = f"{type(exc).__name__} after the request was sent"

    async def _check(self, response: aiohttp.ClientResponse) -> None:
        """Read every answer: feed method budgets, share 503s, keep error bodies for mapping."""
        body = _parse(await response.read())
        method = response.url.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
        self._record_operating(method, body)
        if response.status < 400:
            return
        if response.status == 503:
            self.governor.penalize()
        if response.status == 429:
            self.governor.block_method(method if method != "batch" else _methods.get()[0])
        send = _sending.get()
        if send is not None and send.writes and response.status >= 500 and response.status != 503:
            # only a 503 (QUERY_LIMIT_EXCEEDED) is refused before running; anything else may have run
            code = str(body.get("error") or "") or response.reason or ""
            send.unknown = f"HTTP {response.status} {code}".strip()
            raise OutcomeUnknown(send.unknown)
        raise aiohttp.ClientResponseError(
            response.request_info, response.history, status=response.status, message=json.dumps(body)
        )

    def _record_operating(self, method: str, body: dict) -> None:
        times = (body.get("result") or {}).get("result_time") if method == "batch" and isinstance(body.get("result"), dict) else None
        if isinstance(times, dict):
            for label, t in times.items():
                name = self._labels.get(label)
                if name and isinstance(t, dict) and "operating" in t:
                    self.governor.record_operating(name, t["operating"], t.get("operating_reset_at"))
        elif isinstance(body.get("time"), dict) and "operating" in body["time"]:
            self.governor.record_operating(method, body["time"]["operating"], body["time"].get("operating_reset_at"))

    async def _send(self, bx: BitrixAsync, method: str, params: dict, methods: tuple[str, ...],
                    writes: bool = False) -> dict:
        token = _methods.set(tuple(m.lower() for m in methods))
        send = _Send(writes)
        sending = _sending.set(send)
        try:
            for _ in range(3):
                try:
                    body = await bx.call(method, params, raw=True)
                except aiohttp.ClientResponseError as exc:
                    await self._on_error(exc, methods)
                    continue
                except (RuntimeError, aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                    raise _transport_failure(exc, send) from exc
                if isinstance(body, dict) and "error" in body and "result" not in body:
                    # some methods (placement.bind) answer errors with HTTP 200
                    raise PortalError(str(body["error"]), str(body.get("error_description", "")), 200)
                return body
            raise RateLimited(f"{method}: operating limit hit repeatedly")
        finally:
            _sending.reset(sending)
            _methods.reset(token)

    async def _on_error(self, exc: aiohttp.ClientResponseError, methods: tuple[str, ...]) -> None:
        """Map an error answer; wait out a short method block, else hand it back typed."""
        body = _parse(exc.message.encode()) if exc.message else {}
        code, text = str(body.get("error") or ""), str(body.get("error_description") or exc.message or "")
        if exc.status == 429 or code == "OPERATION_TIME_LIMIT":
            wait = max(self.governor.method_wait(m) for m in methods)
            if wait > 15:
                raise MethodBudgetExhausted(methods[0], time.time() + wait) from exc
            await asyncio.sleep(wait)
            return
        if exc.status == 401:
            raise TokenExpired(f"{code}: {text}") from exc
        raise PortalError(code, text, exc.status) from exc

    async def _batch(self, bx: BitrixAsync, groups: list[dict], halt: bool, writes: bool) -> BatchResult:
        self._labels = {label: method.lower() for group in groups for label, (method, _) in group.items()}
        return await run_groups(self, bx, groups, halt, writes)

    async def _list_all(self, bx: BitrixAsync, method: str, params: dict, id_field: str) -> list[dict]:
        rows: list[dict] = []
        last = 0
        flt = dict(params.pop("filter", {}) or {})
        while True:
            page_params = {**params, "filter": {**flt, f">{id_field}": last}, "order": {id_field: "ASC"}, "start": -1}
            page = (await self._send(bx, method, page_params, (method,))).get("result") or []
            if isinstance(page, dict):  # crm.item.list style {"items": [...]}
                page = next(iter(page.values()), [])
            rows.extend(page)
            if len(page) < 50:
                return rows
            last = int(page[-1][id_field])


def _transport_failure(exc: BaseException, send: _Send) -> PortalCallError:
    if send.unknown:
        return OutcomeUnknown(send.unknown)
    if isinstance(exc, RuntimeError):  # fast-bitrix24 gave up after its retries
        return RateLimited(f"portal kept failing: {exc}")
    return PortalUnavailable(f"portal unreachable: {type(exc).__name__}")


def _parse(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


__all__ = ["PortalClient", "PortalCallError"]
