"""The web edge's one JSON parser, and the guard that answers every hostile body with a 4xx before a view runs.

- `request.get_json` parses with `bitrix_app.jsonsafe` (through the app's JSON provider): too deep, NUL, lone
  surrogates, NaN, not UTF-8. A JSON body it refuses is a 400 `invalid_json` even when the view asked for
  `silent=True` (only a missing body or a non-JSON content type stay silent).
- Before any view: a JSON body must parse (400 `invalid_json`) and be a JSON object (422 `validation_error`),
  and no form field, form key or query parameter may hold a NUL character or a lone surrogate (400
  `invalid_form` / `invalid_query`). So even a route that ignores its body cannot be made to 500 by one, and
  nothing of such a request is stored.
- The shop API reads its signed raw body itself (the signature is over the exact bytes) and parses it with the
  same `jsonsafe.loads` after the signature check, so its blueprint is left to it here.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider

from bitrix_app import jsonsafe

from .errors import ApiError

RAW_BODY_BLUEPRINTS = frozenset({"shop_api"})  # read request.stream themselves; parsing here would drain it
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class EdgeJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: what it writes is unchanged; what it reads goes through jsonsafe. Flask hands it
    to every request as `request.json_module`, so `request.get_json` parses with it."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return jsonsafe.loads(s)


def invalid_json(message: str) -> ApiError:
    return ApiError(400, "invalid_json", message)


class EdgeRequest(Request):
    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any | None:
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        if silent and not self.get_data(cache=True).strip():
            return None  # no body at all: what a silent caller has always been given
        return super().get_json(force=force, silent=False, cache=cache)  # a bad body is never silent

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            return super().on_json_loading_failed(e)  # not a JSON content type: 415
        raise invalid_json(str(e) if isinstance(e, jsonsafe.UnsafeJson) else f"the body is not valid JSON: {e}")


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            type(None): "null"}.get(type(value), type(value).__name__)


def _text_problem(pairs) -> str | None:
    for key, value in pairs:
        if jsonsafe.text_problem(key):
            return f"a field name has {jsonsafe.text_problem(key)}"
        problem = jsonsafe.text_problem(value) if isinstance(value, str) else None
        if problem:
            return f"the field {key[:40]!r} has {problem}"
    return None


def guard_body() -> None:
    """A before-request check; raises the 400 (ApiError) for a hostile body, query or form."""
    if request.routing_exception is not None or request.blueprint in RAW_BODY_BLUEPRINTS:
        return  # unknown route or method: its 404/405 says more; the shop API parses its own body
    problem = _text_problem(request.args.items(multi=True))
    if problem:
        raise ApiError(400, "invalid_query", f"the query string is not acceptable: {problem}")
    if request.is_json:
        if request.get_data(cache=True).strip():
            body = request.get_json()
            if not isinstance(body, dict):  # parsed, but the wrong shape: a validation error, as in the views
                raise ApiError(422, "validation_error", f"the body must be a JSON object, not {_kind(body)}")
    elif request.mimetype in FORM_TYPES:
        problem = _text_problem(request.form.items(multi=True))
        if problem:
            raise ApiError(400, "invalid_form", f"the form is not acceptable: {problem}")


def register(app: Flask) -> None:
    provider = EdgeJSONProvider(app)
    provider.__dict__.update({k: v for k, v in vars(app.json).items() if k != "_app"})  # keep its settings
    app.json = provider
    app.request_class = EdgeRequest
    app.before_request(guard_body)
