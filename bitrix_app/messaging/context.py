"""What messaging reads from its caller, as a Protocol, and the plain context that satisfies it on a portal scope.

Any object with these attributes will do: a drain window's context, a campaign run's, a robot call's. A context
whose `sessions` is None asks for the policy only (the default messaging settings, nothing recorded)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bitrix_app.scope import ScopedContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bitrix_app.scope import PortalScope
    from bitrix_app.shops.settings import ShopSettings


class MessagingContext(Protocol):
    """The attributes `send_many` and `staff` read."""

    @property
    def member_id(self) -> str: ...

    @property
    def sessions(self) -> "sessionmaker[Session] | None": ...  # None: policy only, no records

    @property
    def clock(self) -> Any: ...  # .now()

    @property
    def client(self) -> Any: ...  # the portal's REST client (CRM e-mail, staff messages)

    @property
    def cipher(self) -> Any: ...  # decrypts the stored gateway secrets (SMTP, SMS)

    @property
    def settings(self) -> "ShopSettings": ...  # quiet hours, time zone

    @property
    def responsible_id(self) -> int | None: ...  # who CRM e-mails and to-dos are sent as


@dataclass(frozen=True)
class PortalMessaging(ScopedContext):
    """A MessagingContext on a portal scope; `clock` replaces the scope's (a robot call's fixed moment)."""

    scope: "PortalScope"
    settings: "ShopSettings"
    responsible_id: int | None
    fixed_clock: Any = None

    @property
    def clock(self) -> Any:
        return self.fixed_clock or self.scope.clock
