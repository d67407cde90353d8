"""PortalClient: every call to a portal goes through here, on fast-bitrix24, under the governor."""
from __future__ import annotations

import asyncio
import contextvars
import json
import time
from typing import Any, Awaitable, Callable, Mapping

import aiohttp
from fast_bitrix24 import BitrixAsync

from .batching import MAX_COMMANDS, BatchResult, chunks, command
from .errors import MethodBudgetExhausted, PortalCallError, PortalError, PortalUnavailable, RateLimited, TokenExpired
from .governor import Governor

LIMIT_CODES = ("OPERATION_TIME_LIMIT", "QUERY_LIMIT_EXCEEDED")
_methods: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("methods", default=())


class PortalClient:
    """A portal's REST API for one lane of work; sync methods for Flask views and RQ jobs."""

    def __init__(self, member_id: str, tokens, governor: Governor, lane: str = "normal",
                 timeout: float = 60.0, concurrency: int = 4):
        self.member_id, self.tokens, self.governor, self.lane = member_id, tokens, governor, lane
        self.timeout, self.concurrency = timeout, concurrency
        self._handed = None  # the token version we last handed to fast-bitrix24
        self._refreshed_at = 0.0
        self._refreshes = 0
        self._first = True
        self._labels: dict[str, str] = {}

    # ---- public, synchronous
    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """One method; returns its `result`; raises PortalError on a method error."""
        return self.call_raw(method, params).get("result")

    def call_raw(self, method: str, params: Mapping[str, Any] | None = None) -> dict:
        """One method; returns the whole envelope (`result`, `total`, `next`, `time`)."""
        return self._run(lambda bx: self._send(bx, method, dict(params or {}), (method,)))

    def batch(self, commands: Mapping[str, tuple[str, Mapping | None]], halt: bool = False) -> BatchResult:
        """Many commands, 50 per HTTP request; per-command errors come back in `errors`."""
        return self._run(lambda bx: self._batch(bx, dict(commands), halt))

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
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(raise_for_status=self._check, trace_configs=[trace], timeout=timeout) as session:
            stored = await asyncio.to_thread(self.tokens.current, self.member_id)
            self._handed = stored
            bx = BitrixAsync(
                stored.client_endpoint, token_func=self._token, verbose=False, respect_velocity_policy=True,
                request_pool_size=1_000_000, requests_per_second=1_000_000.0, client=session,
                # time.operating is already the method's 10-minute sum; fast-bitrix24 would add the
                # sums up and stall for minutes, so its window is off and the governor owns budgets
                operating_time_limit=10**9,
                ssl=stored.client_endpoint.startswith("https"),
            )
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
        await self.governor.admit(self.lane, _methods.get())

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

    async def _send(self, bx: BitrixAsync, method: str, params: dict, methods: tuple[str, ...]) -> dict:
        token = _methods.set(tuple(m.lower() for m in methods))
        try:
            for _ in range(3):
                try:
                    body = await bx.call(method, params, raw=True)
                except aiohttp.ClientResponseError as exc:
                    await self._on_error(exc, methods)
                    continue
                if isinstance(body, dict) and "error" in body and "result" not in body:
                    # some methods (placement.bind) answer errors with HTTP 200
                    raise PortalError(str(body["error"]), str(body.get("error_description", "")), 200)
                return body
            raise RateLimited(f"{method}: operating limit hit repeatedly")
        finally:
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

    async def _batch(self, bx: BitrixAsync, commands: dict, halt: bool) -> BatchResult:
        self._labels = {label: method.lower() for label, (method, _) in commands.items()}
        out = BatchResult()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(labels: list[str]) -> None:
            cmd = {label: command(*commands[label]) for label in labels}
            async with gate:
                body = await self._send(bx, "batch", {"halt": int(halt), "cmd": cmd}, tuple({self._labels[l] for l in labels}))
            out.merge(body, labels)

        await asyncio.gather(*(one(part) for part in chunks(list(commands), MAX_COMMANDS)))
        await self._retry_limited(bx, commands, out, halt)
        return out

    async def _retry_limited(self, bx, commands: dict, out: BatchResult, halt: bool) -> None:
        """Commands the portal refused for rate or budget reasons are sent again once the limit allows."""
        for _ in range(3):
            limited = [l for l in commands if out.error_code(l) in LIMIT_CODES]
            if not limited:
                return
            methods = tuple({self._labels[l] for l in limited})
            for label in limited:
                if out.error_code(label) == "OPERATION_TIME_LIMIT":
                    self.governor.block_method(self._labels[label])
                out.errors.pop(label)
            body = await self._send(bx, "batch", {"halt": int(halt), "cmd": {l: command(*commands[l]) for l in limited}}, methods)
            out.merge(body, limited)
        if any(out.error_code(l) in LIMIT_CODES for l in commands):
            raise RateLimited("commands kept hitting the portal's limits")

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


def _parse(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


__all__ = ["PortalClient", "PortalCallError"]
