"""Webhook calls shared by the CRM tests: the raw answer, a success's result or envelope, an error's body."""
from __future__ import annotations

import requests

from tests.sandbox.app_support import drain, rest


def call(sandbox, method, **params):
    return requests.post(f"{sandbox.webhook_url}{method}", json=params, timeout=10)


def envelope(sandbox, method, **params):
    """The whole envelope of a successful call (`result`, `total`, `next`, `time`)."""
    resp = call(sandbox, method, **params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def ok(sandbox, method, **params):
    return envelope(sandbox, method, **params)["result"]


def error(sandbox, method, **params):
    """The status and body of a refused call (any 4xx/5xx)."""
    resp = call(sandbox, method, **params)
    assert resp.status_code >= 400, resp.text
    return resp.status_code, resp.json()


def rejected(sandbox, method, **params):
    """The body of a call refused with 400."""
    resp = call(sandbox, method, **params)
    assert resp.status_code == 400, resp.text
    return resp.json()


def crud_events(sandbox, receiver, token, entity, fields, changes):
    """Bind ONCRM<ENTITY>ADD/UPDATE/DELETE, then add, update and delete one row: its id and the (event, ID) posts."""
    for verb in ("ADD", "UPDATE", "DELETE"):
        rest(sandbox, token, "event.bind", event=f"ONCRM{entity.upper()}{verb}", handler=receiver.url + "/events")
    row_id = ok(sandbox, f"crm.{entity}.add", fields=fields)
    ok(sandbox, f"crm.{entity}.update", id=row_id, fields=changes)
    ok(sandbox, f"crm.{entity}.delete", id=row_id)
    drain(sandbox)
    return row_id, [(r.form["event"], r.form["data"]["FIELDS"]["ID"]) for r in receiver.at("/events")]
