"""One JSON error shape for every 4xx/5xx: {"error": code, "message": text, "details": {...}}; the edge that turns
hostile bodies into 400s is installed with it (webedge/edge.py)."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from bitrix_app.rest.errors import CertificateUntrusted

from .field_words import localise


class ApiError(Exception):
    """An error a view raises to answer a client with a clear 4xx."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def _body(code: str, message: str, details: dict | None = None):
    return jsonify({"error": code, "message": message, "details": details or {}})


RETRY_AFTER = 30  # seconds a caller waits before trying again while the database is down


def database_down(bp: Blueprint, message: str, details: dict | None = None) -> None:
    """Answer the blueprint's database outages with 503 and Retry-After: nothing was stored, send it again."""

    def _unavailable(err):
        return _body("unavailable", message, details), 503, {"Retry-After": str(RETRY_AFTER)}

    bp.register_error_handler(OperationalError, _unavailable)
    bp.register_error_handler(InterfaceError, _unavailable)


def _reader_language() -> str | None:
    """ru when the caller reads Russian first (the app's screens send their portal's language)."""
    return request.accept_languages.best_match(["ru", "en"]) if request.accept_languages else None


def register(app: Flask) -> None:
    from .edge import register as register_edge

    register_edge(app)

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        details = err.details
        if "fields" in details:
            details = {**details, "fields": localise(details["fields"], _reader_language())}
        return _body(err.code, err.message, details), err.status

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError):
        fields = localise(err.messages, _reader_language())
        return _body("validation_error", "the request has invalid fields", {"fields": fields}), 422

    @app.errorhandler(CertificateUntrusted)
    def _untrusted(err: CertificateUntrusted):  # this deployment does not trust the portal: says which setting
        return _body("untrusted_certificate", str(err)), 502

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return _body(code, err.description or err.name), err.code
