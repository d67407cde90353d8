"""Robot runs: the workflow side of an app's automation rule (CBPRestActivity as seen from the app).

A run builds the documented handler payload, records a workflow in `portal.workflows`, and leaves
the POST to the caller (made outside the portal lock). `bizproc.event.send` / `bizproc.activity.log`
reach the workflow through its event token; a timeout is judged lazily against the portal clock.
"""
from __future__ import annotations

import random
import secrets
import string
from typing import Any

from . import eventbus
from .errors import access_denied

DEFAULT_TIMEOUT = 660  # the value in the only real robot-handler dump (contract §5.2)
DEFAULT_LOG = "Received response from the application"
DOCUMENT_CLASSES = {
    "LEAD": "CCrmDocumentLead",
    "DEAL": "CCrmDocumentDeal",
    "CONTACT": "CCrmDocumentContact",
    "COMPANY": "CCrmDocumentCompany",
}


class RunError(Exception):
    """A robot run the control API refuses: `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **extra}


def new_workflow_id(now: float) -> str:
    """PHP uniqid('', true): 8+5 hex digits of time, then lcg_value()*10 as `%.8F` (`664fa13bbbb410.99176768`)."""
    return f"{int(now):08x}{int((now % 1) * 1_000_000):05x}{random.random() * 10:.8f}"


def new_event_token(workflow_id: str) -> str:
    """`<workflow_id>|A<5>_<5>_<5>_<5>|<32 chars>.<64 hex>`, the shape of every documented token."""
    activity = "A" + "_".join(f"{random.randint(0, 99_999):05d}" for _ in range(4))
    alphabet = string.ascii_letters + string.digits
    salt = "".join(secrets.choice(alphabet) for _ in range(32))
    return f"{workflow_id}|{activity}|{salt}.{secrets.token_hex(32)}"


def parse_document(document_id: Any) -> tuple[list[str], list[str]]:
    """`DEAL_5` (or a 3-item list) -> document_id and document_type triples."""
    if isinstance(document_id, (list, tuple)) and len(document_id) == 3:
        doc = [str(x) for x in document_id]
    else:
        text = str(document_id or "")
        kind = text.rsplit("_", 1)[0].upper() if "_" in text else ""
        if kind not in DOCUMENT_CLASSES or not text.rsplit("_", 1)[1].isdigit():
            raise RunError(400, "document_id must look like DEAL_5 (LEAD, DEAL, CONTACT, COMPANY)")
        doc = ["crm", DOCUMENT_CLASSES[kind], f"{kind}_{text.rsplit('_', 1)[1]}"]
    return doc, [doc[0], doc[1], doc[2].rsplit("_", 1)[0]]


DISTRIBUTION = "b24"  # what a FILTER rule string matches on a cloud portal (`box` would be on-premise)


def _rules(rules: Any) -> list:
    """A FILTER entry as a list of rules; one rule (a string, a document type map) stands alone."""
    if isinstance(rules, dict) and rules and all(str(k).isdigit() for k in rules):
        return [rules[k] for k in sorted(rules, key=int)]
    return rules if isinstance(rules, list) else [rules]


def _rule_matches(rule: Any, document_type: list[str]) -> bool:
    """A full or partial document type (`['crm', 'CCrmDocumentDeal']`) matches by its leading parts."""
    if not isinstance(rule, (list, dict)):
        return str(rule) == DISTRIBUTION
    found = False
    for i, part in enumerate(document_type):
        given = rule[i] if isinstance(rule, list) and i < len(rule) else \
            rule.get(i, rule.get(str(i))) if isinstance(rule, dict) else None
        if given is None:
            break
        found = str(given) == part
        if not found:
            break
    return found


def offered_on(reg: dict, document_type: list[str]) -> bool:
    """Would the portal offer this robot on documents of this type? (its FILTER's INCLUDE and EXCLUDE rules)

    As CBPRuntime::checkActivityFilter: INCLUDE needs one matching rule, EXCLUDE none; without a FILTER (or
    with one that is not an array) a robot is offered everywhere, whatever its DOCUMENT_TYPE says.
    """
    flt = reg.get("FILTER")
    if not isinstance(flt, dict):
        return True
    for kind, rules in flt.items():
        found = any(_rule_matches(rule, document_type) for rule in _rules(rules))
        if (kind == "INCLUDE" and not found) or (kind == "EXCLUDE" and found):
            return False
    return True


def find_robot(portal, code: str, client_id: str | None) -> dict:
    """The registration to run; 404 if no app registered that code."""
    found = [reg for (cid, c), reg in portal.robots.items()
             if c == code and (client_id is None or cid == client_id)]
    if not found:
        raise RunError(404, f"no robot or activity with code {code!r}")
    if len(found) > 1:
        raise RunError(409, f"several apps registered {code!r}; pass client_id")
    return found[0]


def _as_wire(value: Any) -> Any:
    """Robot property values travel as strings; null becomes ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, (list, tuple)):
        return [_as_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_wire(v) for k, v in value.items()}
    return str(value)


def fill_properties(reg: dict, given: dict) -> dict:
    """Registered properties only: given value, else Default; a Required one left empty is refused."""
    lowered = {str(k).lower(): v for k, v in (given or {}).items()}
    out: dict = {}
    for code, spec in (reg.get("PROPERTIES") or {}).items():
        value = lowered.get(code.lower(), spec.get("DEFAULT"))
        if value in (None, "", []) and str(spec.get("REQUIRED", "N")).upper() == "Y":
            raise RunError(400, f"required property {code!r} has no value", property=code)
        if str(spec.get("MULTIPLE", "N")).upper() == "Y" and not isinstance(value, (list, tuple)):
            value = [] if value in (None, "") else [value]
        out[code] = _as_wire(value)
    return out


def start(portal, reg: dict, document: Any, properties: dict, user_id: int,
          timeout: int | None = None) -> tuple[dict, str, dict]:
    """Record a running workflow for `reg`; answer (workflow, handler url, form payload)."""
    app = portal.apps.get(reg["APP_ID"])
    if app is None or not app.installed:
        raise RunError(409, "the robot's application is not installed")
    doc_id, doc_type = parse_document(document)
    if not offered_on(reg, doc_type):
        # the portal does not even offer such a robot on these documents, so no rule could run it there
        raise RunError(409, f"{reg['CODE']!r} is not available on {doc_type[2]} documents (its FILTER excludes "
                            f"{doc_type[1]})", document_type=doc_type, filter=reg.get("FILTER"))
    now = portal.clock.now()
    wid = new_workflow_id(now)
    use_sub = "N" if str(reg.get("USE_SUBSCRIPTION") or "").upper() == "N" else "Y"
    wf = {
        "id": wid, "code": reg["CODE"], "client_id": reg["APP_ID"], "document_id": doc_id,
        "document_type": doc_type, "event_token": new_event_token(wid),
        "properties": fill_properties(reg, properties), "use_subscription": use_sub,
        "timeout_duration": DEFAULT_TIMEOUT if timeout is None else int(timeout), "started_at": now,
        "status": "running", "return_values": {}, "log": [], "is_timeout": False,
    }
    auth_user = int(reg.get("AUTH_USER_ID") or 0) or user_id
    payload = {
        "workflow_id": wid, "code": wf["code"], "document_id": doc_id, "document_type": doc_type,
        "event_token": wf["event_token"], "properties": wf["properties"], "use_subscription": use_sub,
        "timeout_duration": str(wf["timeout_duration"]), "ts": str(int(now)),
        "auth": eventbus.user_auth(portal, app, auth_user, refresh=True),
    }
    if use_sub == "N":
        # fire-and-forget: the robot closes as soon as the request is queued
        wf.update(status="completed", completed_at=now)
    portal.workflows[wid] = wf
    return wf, reg["HANDLER"], payload


def refresh(portal, wf: dict) -> dict:
    """Close a running workflow whose timeout has elapsed (IsTimeout = 1)."""
    limit = int(wf.get("timeout_duration") or 0)
    if wf["status"] == "running" and limit and portal.clock.now() >= wf["started_at"] + limit:
        wf.update(status="timeout", is_timeout=True, completed_at=wf["started_at"] + limit)
        wf["log"].append("Timeout: no response from the application")
    return wf


def running_by_token(portal, token: Any) -> dict:
    """The workflow waiting on `token`; unknown, used or timed-out tokens get 403 Access denied!."""
    token = str(token or "")
    for wf in portal.workflows.values():
        if token and wf["event_token"] == token:
            if refresh(portal, wf)["status"] == "running":
                return wf
            break
    raise access_denied()


def _return_values(portal, wf: dict, given: Any) -> dict:
    """Keys matched case-insensitively against RETURN_PROPERTIES; unknown keys dropped."""
    reg = portal.robots.get((wf["client_id"], wf["code"])) or {}
    declared = {code.lower(): code for code in (reg.get("RETURN_PROPERTIES") or {})}
    out = {}
    for key, value in (given.items() if isinstance(given, dict) else ()):
        code = declared.get(str(key).lower())
        if code is not None:
            out[code] = value
    return out


def send_event(portal, token: Any, return_values: Any, log_message: Any) -> None:
    """bizproc.event.send: store the results, log, and close the robot."""
    wf = running_by_token(portal, token)
    wf["return_values"] = _return_values(portal, wf, return_values)
    wf["log"].append(str(log_message) if log_message not in (None, "") else DEFAULT_LOG)
    wf.update(status="completed", completed_at=portal.clock.now())


def view(portal, wf: dict) -> dict:
    """A workflow as the control API shows it."""
    wf = refresh(portal, wf)
    keys = ("id", "code", "client_id", "document_id", "document_type", "event_token", "properties",
            "use_subscription", "timeout_duration", "started_at", "status", "return_values", "log",
            "is_timeout")
    return {k: wf.get(k) for k in keys} | {"completed_at": wf.get("completed_at")}
