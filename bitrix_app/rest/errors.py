"""Typed failures of portal calls; callers never see transport details."""
from __future__ import annotations


class PortalCallError(Exception):
    """Base of every failure the REST seam raises."""


class PortalError(PortalCallError):
    """The portal answered a method with an error (e.g. "Not found", ACCESS_DENIED)."""

    def __init__(self, code: str, description: str, status: int | None = None):
        super().__init__(f"{code or 'ERROR'}: {description}")
        self.code, self.description, self.status = code, description, status


class OutcomeUnknown(PortalCallError):
    """A request may or may not have run on the portal: its answer was lost after it was sent.

    Raised for writes instead of re-sending them; find out what exists before trying again.
    """


class TokenExpired(PortalCallError):
    """The access token kept being rejected even after a refresh."""


class PortalBlocked(PortalCallError):
    """The installation cannot be used any more (refresh revoked, payment required, deleted)."""

    def __init__(self, reason: str, description: str = ""):
        super().__init__(f"{reason}: {description}" if description else reason)
        self.reason, self.description = reason, description


class PortalUnavailable(PortalCallError):
    """Transient: the portal or the OAuth server did not answer; retry later."""


class RateLimited(PortalUnavailable):
    """The portal kept answering QUERY_LIMIT_EXCEEDED after every backoff."""

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


class MethodBudgetExhausted(PortalUnavailable):
    """A method's operating-time budget is spent; it is accepted again at `retry_at` (unix time)."""

    def __init__(self, method: str, retry_at: float):
        super().__init__(f"{method} blocked by the operating time limit until {retry_at:.0f}")
        self.method, self.retry_at = method, retry_at
