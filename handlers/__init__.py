"""Thin Flask blueprints, one per inbound surface."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import errors, health

    errors.register(app)
    app.register_blueprint(health.bp)
