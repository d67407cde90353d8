"""Access to the services a Flask app carries in `app.extensions` (engine, sessions, Redis, clock)."""
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


def token_manager(app=None):
    """The portal token manager wired to this app's services and OAuth settings."""
    from bitrix_app.portals import TokenManager

    s = settings(app)
    return TokenManager(
        session_factory(app), redis(app), cipher(app), clock(app), s.B24_OAUTH_URL, s.B24_CLIENT_ID, s.B24_CLIENT_SECRET
    )
