"""What the admin API's OpenAPI description is generated from: each view's docstring (its summary), its least
role (set by `admin_auth.role_required`) and, where it has them, the marshmallow schemas of its query, body and
answer, attached with `@documented(...)`. Nothing is registered globally: the description is built from the app's
URL map (`webedge.openapi`)."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema


@dataclass(frozen=True)
class ApiDoc:
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    answer: type[Schema] | None = None
    answer_many: bool = False
    status: int = 200
    content_types: tuple[str, ...] = ("application/json",)


def documented(query: type[Schema] | None = None, body: type[Schema] | None = None,
               answer: type[Schema] | None = None, *, many: bool = False, status: int = 200,
               content_types: tuple[str, ...] = ("application/json",)):
    """Attach the view's schemas; put it outermost (above the role decorator)."""

    def attach(view):
        view.api_doc = ApiDoc(query, body, answer, many, status, content_types)
        return view

    return attach
