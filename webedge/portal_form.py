"""Parse a portal's form callback: PHP bracket keys, then a marshmallow schema; 401/422 as JSON."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError

from bitrix_app.phpform import FormTooComplex, UnsafeFormText, nest

from .errors import ApiError


def parse(schema: Schema, with_query: bool = False) -> dict:
    """The request body (form or JSON object) nested and validated; 422 with field errors otherwise, 400 for a
    body or form the edge parser refuses (NUL, lone surrogates, too deep). The edge's guard (webedge.edge) has
    already answered a JSON body that is not an object, before any view; an empty one is an empty object."""
    if request.is_json:
        raw = request.get_json(silent=True) or {}
    else:
        raw = _nest(request.form.items(multi=True))
    if with_query:
        raw = {**_nest(request.args.items(multi=True)), **raw}
    try:
        return schema.load(raw)
    except ValidationError as err:
        raise ApiError(422, "validation_error", "the callback has invalid fields", {"fields": err.messages}) from err


def _nest(pairs) -> dict:
    try:
        return nest(pairs)
    except FormTooComplex as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    except UnsafeFormText as exc:
        raise ApiError(400, "invalid_form", str(exc)) from exc


def unauthorized(reason: str) -> ApiError:
    return ApiError(401, "unauthorized", f"callback rejected: {reason}")
