"""OpenAPI 3 description of the admin JSON API (/api/v1/portals/<member_id>/…), generated from the app's URL map:
every rule under the prefix, its view's summary (first docstring line), least role and marshmallow schemas."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .api_doc import ApiDoc

PREFIX = "/api/v1/portals/"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERRORS = {"401": "A missing, wrong or expired token, or one for another portal",
           "403": "The token's role is too small for this view", "404": "No such portal or object",
           "422": "Invalid fields; `details.fields` names them"}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = [{"in": "path", "name": name, "required": True,
               "schema": {"type": "integer"} if conv == "int" else {"type": "string"}}
              for conv, name in _PARAM.findall(rule)]
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _operation(view, method: str, params: list[dict]) -> dict:
    doc: ApiDoc = getattr(view, "api_doc", None) or ApiDoc()
    summary = (view.__doc__ or "").strip().splitlines()
    role = getattr(view, "api_role", None)
    op: dict = {"summary": summary[0] if summary else "", "operationId": f"{method}_{view.__name__}",
                "security": [{"bearer": []}], "parameters": list(params), "x-role": role}
    if doc.query is not None:
        op["parameters"].append({"in": "query", "schema": doc.query})
    if doc.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": doc.body}}}
    answer = {"type": "object"} if doc.answer is None else (
        {"type": "array", "items": doc.answer} if doc.answer_many else doc.answer)
    op["responses"] = {str(doc.status): {"description": "OK",
                                         "content": {ct: {"schema": answer} for ct in doc.content_types}},
                       **{code: {"description": text, "content": {"application/json": {"schema": "ApiError"}}}
                          for code, text in _ERRORS.items()}}
    return op


def admin_openapi(app: Flask, base_url: str) -> dict:
    spec = APISpec(title="Shop app admin API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": base_url or "/"}],
                   info={"description": "What the app's screens and the operator read and write. Bearer token: a "
                                        "page token (portal + user + role, one hour) or the operator's token."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("ApiError", {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX):
            continue
        path, params = _path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower(), params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
