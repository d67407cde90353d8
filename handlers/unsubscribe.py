"""The public unsubscribe page (no login, no cookies, a strict CSP): GET /unsubscribe/<token> shows the
recipient's channels and whether they are subscribed; POST changes one (channel, subscribed=yes|no) at once, or,
with the body `List-Unsubscribe=One-Click` (RFC 8058, the mail client's button), leaves the channel named by
`?channel=` (default e-mail). The token is signed (bitrix_app.messaging.unsubscribe): a forged or broken one is a
404 and changes nothing."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template_string, request

from webedge import services
from bitrix_app.messaging import unsubscribe
from bitrix_app.store.db import transaction
from webedge.errors import ApiError

from .unsubscribe_page import PAGE, STYLE, WORDS, csp, masked

bp = Blueprint("unsubscribe", __name__)


def _page(status: int, lang: str, **values):
    html = render_template_string(PAGE, lang=lang, w=WORDS[lang], style=STYLE, **values)
    res = make_response(html, status)
    res.headers["Content-Type"] = "text/html; charset=utf-8"
    res.headers["Content-Security-Policy"] = csp()
    res.headers["Cache-Control"] = "no-store"
    res.headers["Referrer-Policy"] = "no-referrer"
    res.headers["X-Content-Type-Options"] = "nosniff"
    return res


def _who(token: str) -> unsubscribe.Subscriber | None:
    return unsubscribe.read(services.settings().SECRET_KEY, token)


def _shown(who: unsubscribe.Subscriber, token: str, done: str | None = None, status: int = 200):
    with transaction(services.session_factory()) as s:
        state = unsubscribe.state(s, who)
    words = WORDS[who.lang]
    channels = [{"code": c, "name": words[c], "address": masked(who.address(c)), "subscribed": on}
                for c, on in state.items()]
    return _page(status, who.lang, channels=channels, action=f"{unsubscribe.PATH}{token}", done=done, invalid=False)


@bp.get("/unsubscribe/<token>")
def page(token: str):
    """The recipient's preference page (reading it changes nothing)."""
    who = _who(token)
    if who is None:
        lang = "ru" if (request.accept_languages.best_match(["ru", "en"]) == "ru") else "en"
        return _page(404, lang, invalid=True, channels=[], done=None, action="")
    return _shown(who, token)


@bp.post("/unsubscribe/<token>")
def choose(token: str):
    """Leave or rejoin a channel's marketing messages; one-click leaves e-mail (or `?channel=`)."""
    who = _who(token)
    if who is None:
        raise ApiError(404, "not_found", "this unsubscribe link is not valid")
    form = request.form
    if form.get("List-Unsubscribe") == "One-Click":
        channel, subscribed = request.args.get("channel", "email"), False
    else:
        channel, choice = form.get("channel"), form.get("subscribed")
        if channel not in unsubscribe.CHANNELS or choice not in ("yes", "no"):
            raise ApiError(400, "invalid_form", "send channel (email or sms) and subscribed (yes or no)")
        subscribed = choice == "yes"
    if channel not in unsubscribe.CHANNELS:
        raise ApiError(400, "invalid_form", "channel is email or sms")
    with transaction(services.session_factory()) as s:
        if not unsubscribe.choose(s, who, channel, subscribed, services.clock().now()):
            raise ApiError(400, "invalid_form", "this link has no address on that channel")
    words = WORDS[who.lang]
    return _shown(who, token, done=words["joined" if subscribed else "left"].format(channel=words[channel]))
