"""One typed scope per unit of work: the services a use case needs, built once at an edge and passed down.

`AppServices` is what the running app holds (sessions, clock, Redis, settings, cipher); `PortalScope` narrows it
to one portal and adds that portal's REST client, made on first use. Edges (a view, a job entry point, a CLI
command) build them with `app_services(app)` / `portal_scope(member_id, app)`; nothing below the edges looks
services up globally. Protocols in the packages that consume them (messaging, for one) say which attributes
they read, so a richer context that carries the same attributes is accepted too.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:  # types only: this module imports nothing heavy at run time
    from redis import Redis
    from sqlalchemy.orm import Session, sessionmaker

    from bitrix_app.clock import SystemClock
    from bitrix_app.rest.client import PortalClient
    from config.settings import Settings


@dataclass(frozen=True)
class AppServices:
    """The app-wide services, independent of any portal."""

    sessions: "sessionmaker[Session]"
    clock: "SystemClock"
    redis: "Redis"
    settings: "Settings"
    cipher: Any  # bitrix_app.portals.SecretCipher (portals builds on the scope, so the scope names no portals type)
    client_factory: Callable[..., "PortalClient"]  # (member_id, lane="normal") -> PortalClient
    config: Mapping[str, Any] = field(default_factory=dict)  # the app's config: create_app's numeric overrides

    def now(self) -> datetime:
        return self.clock.now()

    def transaction(self) -> AbstractContextManager["Session"]:
        from bitrix_app.store.db import transaction

        return transaction(self.sessions)

    def for_portal(self, member_id: str, lane: str = "normal") -> "PortalScope":
        return PortalScope(self, member_id, lane)


@dataclass(frozen=True)
class PortalScope:
    """The services narrowed to one portal; `client` is that portal's REST client on the scope's lane."""

    services: AppServices
    member_id: str
    lane: str = "normal"

    @property
    def sessions(self) -> "sessionmaker[Session]":
        return self.services.sessions

    @property
    def clock(self) -> "SystemClock":
        return self.services.clock

    @property
    def redis(self) -> "Redis":
        return self.services.redis

    @property
    def settings(self) -> "Settings":
        return self.services.settings

    @property
    def cipher(self) -> Any:
        return self.services.cipher

    @property
    def config(self) -> Mapping[str, Any]:
        return self.services.config

    def now(self) -> datetime:
        return self.services.clock.now()

    def transaction(self) -> AbstractContextManager["Session"]:
        return self.services.transaction()

    @cached_property
    def client(self) -> "PortalClient":
        return self.services.client_factory(self.member_id, lane=self.lane)

    def on_lane(self, lane: str) -> "PortalScope":
        """The same portal on another priority lane (robot replies: high; backfills: bulk)."""
        return replace(self, lane=lane) if lane != self.lane else self


class ScopedContext:
    """For a context that carries `scope: PortalScope`: the scope's portal and services under the names use cases
    read (`messaging.MessagingContext` among them). A context with a clock of its own defines `clock` itself."""

    scope: PortalScope

    @property
    def member_id(self) -> str:
        return self.scope.member_id

    @property
    def sessions(self) -> "sessionmaker[Session]":
        return self.scope.sessions

    @property
    def redis(self) -> "Redis":
        return self.scope.redis

    @property
    def client(self) -> "PortalClient":
        return self.scope.client

    @property
    def cipher(self) -> Any:
        return self.scope.cipher


def app_services(app: Any = None) -> AppServices:
    """Build the services from a Flask app (the current one when not given): for edges only."""
    from flask import current_app

    app = app or current_app._get_current_object()
    ext = app.extensions["bitrix_app"]

    def factory(member_id: str, lane: str = "normal") -> "PortalClient":
        return ext["client_factory"](built, member_id, lane)  # `create_app` wires portals' `build_client`

    built = AppServices(ext["sessions"], ext["clock"], ext["redis"], ext["settings"], ext["cipher"], factory,
                        app.config)
    return built


def portal_scope(member_id: str, app: Any = None, lane: str = "normal") -> PortalScope:
    """An edge's scope for one portal."""
    return app_services(app).for_portal(member_id, lane)
