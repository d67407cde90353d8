"""What every admin JSON API view shares: a JSON object body, and work inside an installed portal."""
from __future__ import annotations

from typing import Callable

from flask import request
from marshmallow import ValidationError

from webedge import services
from bitrix_app.shops.connections import portal_exists
from bitrix_app.store.db import transaction

from .errors import ApiError


def json_object(what: str = "a JSON object") -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", f"send {what}")
    return body


def in_portal(member_id: str, work: Callable, invalid: str = "the request has invalid fields"):
    """Run `work(session)` for an installed portal (404 otherwise); a ValidationError is a 422 with its fields,
    a LookupError (an unknown segment, campaign or customer; not a KeyError) a 404."""
    try:
        with transaction(services.session_factory()) as s:
            if not portal_exists(s, member_id):
                raise ApiError(404, "not_found", "no installed portal with this member_id")
            return work(s)
    except ValidationError as err:
        raise ApiError(422, "validation_error", invalid, {"fields": err.messages}) from err
    except LookupError as err:
        if isinstance(err, KeyError):
            raise
        raise ApiError(404, "not_found", str(err.args[0] if err.args else err)) from err
