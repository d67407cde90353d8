"""SMS through an HTTP gateway: SMS.ru's documented API, or any gateway reached by a URL template.

SMS.ru (`provider: smsru`): POST https://sms.ru/sms/send with `api_id`, `to` (digits), `msg`, `json=1`
(optional `from`, `test=1`); the answer is `{"status": "OK", "sms": {"<phone>": {"status": "OK",
"status_code": 100, "sms_id": "..."}}, "balance": ...}`, or `"status": "ERROR"` with `status_code` and
`status_text` for the request or per number.
Generic (`provider: generic`): `url` with `{phone}` (digits), `{text}`, and optionally `{api_key}` and
`{sender}`, all URL-encoded; sent as GET or POST; any 2xx answer means accepted.

A request that may have reached the gateway without an answer (read timeout, dropped connection) is not
sent again: the message is skipped as "outcome unknown"."""
from __future__ import annotations

from urllib.parse import quote

import requests

from bitrix_app.store.statuses import ReasonCode

from .config import SMSRU_URL
from .message import ERROR, SENT, SKIPPED, Delivery, Message


def text_of(m: Message) -> str:
    return m.sms_text or m.text


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def deliver(sms: dict, messages: list[Message], http=None) -> dict[str, Delivery]:
    http = http or requests
    send = _smsru if sms["provider"] == "smsru" else _generic
    return {m.key: send(http, sms, m) for m in messages}


def _post(http, sms: dict, m: Message, method: str, url: str, data: dict | None = None):
    try:
        res = http.request(method, url, data=data, timeout=float(sms.get("timeout") or 30))
    except requests.ConnectionError as exc:
        if isinstance(exc, requests.ConnectTimeout) or any(
                sign in str(exc) for sign in ("NewConnectionError", "refused", "Failed to resolve")):
            return Delivery(m.key, ERROR, "sms", detail=f"sms: cannot reach the gateway: {exc}")
        return Delivery(m.key, SKIPPED, "sms", detail=f"sms: outcome unknown, not sent again: {exc}",
                        reason_code=ReasonCode.OUTCOME_UNKNOWN)
    except requests.Timeout as exc:
        return Delivery(m.key, SKIPPED, "sms", detail=f"sms: outcome unknown, not sent again: {exc}",
                        reason_code=ReasonCode.OUTCOME_UNKNOWN)
    except requests.RequestException as exc:
        return Delivery(m.key, ERROR, "sms", detail=f"sms: {exc}")
    return res


def _smsru(http, sms: dict, m: Message) -> Delivery:
    to = _digits(m.recipient.phone)
    data = {"api_id": sms.get("api_key") or "", "to": to, "msg": text_of(m), "json": "1"}
    if sms.get("sender"):
        data["from"] = sms["sender"]
    if sms.get("test"):
        data["test"] = "1"
    res = _post(http, sms, m, "POST", sms.get("url") or SMSRU_URL, data)
    if isinstance(res, Delivery):
        return res
    try:
        body = res.json()
    except ValueError:
        return Delivery(m.key, ERROR, "sms", detail=f"sms.ru: HTTP {res.status_code}, not JSON: {res.text[:200]}")
    if not isinstance(body, dict) or body.get("status") != "OK":
        return Delivery(m.key, ERROR, "sms", detail=f"sms.ru: {_why(body)}")
    one = (body.get("sms") or {}).get(to) or {}
    if one.get("status") != "OK":
        return Delivery(m.key, ERROR, "sms", detail=f"sms.ru: {_why(one)}")
    return Delivery(m.key, SENT, "sms", reference=str(one.get("sms_id") or "") or None)


def _why(body) -> str:
    if not isinstance(body, dict):
        return f"unexpected answer {body!r}"[:300]
    return f"{body.get('status_code')} {body.get('status_text') or body.get('status') or 'no status'}"


def _generic(http, sms: dict, m: Message) -> Delivery:
    values = {"phone": _digits(m.recipient.phone), "text": text_of(m), "api_key": sms.get("api_key") or "",
              "sender": sms.get("sender") or ""}
    url = sms["url"]
    for name, value in values.items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    res = _post(http, sms, m, sms.get("method") or "POST", url)
    if isinstance(res, Delivery):
        return res
    if 200 <= res.status_code < 300:
        return Delivery(m.key, SENT, "sms", reference=res.text.strip()[:120] or None)
    return Delivery(m.key, ERROR, "sms", detail=f"sms gateway: HTTP {res.status_code} {res.text[:200]}")
