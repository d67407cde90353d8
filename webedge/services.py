"""Access to the services a Flask app carries in `app.extensions` (engine, sessions, Redis, clock): for edges;
use cases take a scope (`bitrix_app.scope`) instead."""
from __future__ import annotations

from flask import current_app


def ext(name: str, app=None):
    return (app or current_app).extensions["bitrix_app"][name]


def settings(app=None):
    return ext("settings", app)


def redis(app=None):
    return ext("redis", app)


def clock(app=None):
    return ext("clock", app)


def session_factory(app=None):
    return ext("sessions", app)


def cipher(app=None):
    return ext("cipher", app)
