"""REST errors as a Bitrix24 portal reports them."""
from __future__ import annotations


class RestError(Exception):
    """An error answered as {"error", "error_description"} with an HTTP status."""

    def __init__(self, code: str, description: str, status: int = 400, **extra):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status
        self.extra = extra

    def body(self) -> dict:
        out = {"error": self.code, "error_description": self.description}
        out.update(self.extra)
        return out


def crm_error(description: str, status: int = 400) -> RestError:
    """Legacy CRM methods answer with an empty error code and HTTP 400."""
    return RestError("", description, status)


def not_found() -> RestError:
    return crm_error("Not found")


def invalid_id() -> RestError:
    return crm_error("ID is not defined or invalid.")


def access_denied(text: str = "Access denied!") -> RestError:
    return RestError("ACCESS_DENIED", text, 403)


def app_context_required() -> RestError:
    return RestError("ACCESS_DENIED", "Application context required", 403)


def admin_required() -> RestError:
    return RestError("ACCESS_DENIED", "Administrator authorization required", 403)


def method_not_found() -> RestError:
    return RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)


def query_limit() -> RestError:
    return RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)


def operation_time_limit() -> RestError:
    return RestError("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429)


def expired_token() -> RestError:
    return RestError("expired_token", "The access token provided has expired.", 401)


def no_auth() -> RestError:
    return RestError("NO_AUTH_FOUND", "Wrong authorization data", 401)


def insufficient_scope(via_webhook: bool = False) -> RestError:
    who = "webhook token" if via_webhook else "access token"
    return RestError(
        "insufficient_scope",
        f"The request requires higher privileges than provided by the {who}",
        403,
    )


def argument_null(name: str, status: int = 400) -> RestError:
    """Bitrix\\Rest\\Exceptions\\ArgumentNullException: a required parameter is missing."""
    return RestError("ERROR_ARGUMENT", f"Argument '{name}' is null or empty", status, argument=name)


def argument_error(text: str, name: str, status: int = 400) -> RestError:
    """Bitrix\\Rest\\Exceptions\\ArgumentException: a parameter has a wrong value."""
    return RestError("ERROR_ARGUMENT", text, status, argument=name)


def wrong_auth_type(detail: str = "") -> RestError:
    """AuthTypeException: the method needs an application (OAuth) token, not a webhook."""
    text = "Current authorization type is denied for this method" + (f" {detail}" if detail else "")
    return RestError("WRONG_AUTH_TYPE", text, 403)
