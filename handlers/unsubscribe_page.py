"""The public unsubscribe page's markup and words (English, Russian): one small self-contained HTML page, its one
style block allowed by hash in the page's Content-Security-Policy."""
from __future__ import annotations

import base64
import hashlib
from types import MappingProxyType

STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f7f8;color:#1f2a33}"
         "main{max-width:32rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;"
         "box-shadow:0 1px 3px rgba(0,0,0,.08)}h1{font-size:1.4rem;margin:0 0 1rem}"
         ".row{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 0;"
         "border-top:1px solid #e6eaed}.state{color:#5b6770;font-size:.9rem}"
         "button{font:inherit;padding:.4rem .9rem;border-radius:8px;border:1px solid #2067b0;background:#fff;"
         "color:#2067b0;cursor:pointer}.done{background:#e8f5e9;padding:.75rem 1rem;border-radius:8px}")

PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{ w.title }}</title><style>{{ style }}</style></head>
<body><main><h1>{{ w.title }}</h1>
{% if invalid %}<p>{{ w.invalid }}</p>{% else %}
{% if done %}<p class="done" role="status">{{ done }}</p>{% endif %}
<p>{{ w.intro }}</p>
{% for ch in channels %}<form class="row" method="post" action="{{ action }}">
<div><strong>{{ ch.name }}</strong> <span>{{ ch.address }}</span><br>
<span class="state">{{ w.on if ch.subscribed else w.off }}</span></div>
<input type="hidden" name="channel" value="{{ ch.code }}">
<input type="hidden" name="subscribed" value="{{ 'no' if ch.subscribed else 'yes' }}">
<button type="submit">{{ w.leave if ch.subscribed else w.back }}</button></form>{% endfor %}
<p class="state">{{ w.note }}</p>{% endif %}
</main></body></html>"""

WORDS = MappingProxyType({
    "en": {"title": "Your subscriptions", "intro": "Choose which marketing messages you want to receive.",
           "on": "You receive marketing messages here.", "off": "You have unsubscribed.",
           "leave": "Unsubscribe", "back": "Subscribe again",
           "note": "Messages about your orders (payment, pickup) still reach you.",
           "invalid": "This link is not valid. Use the link from the latest message you received.",
           "left": "Done: you will get no more marketing messages by {channel}.",
           "joined": "Done: you are subscribed to {channel} again.",
           "email": "E-mail", "sms": "SMS"},
    "ru": {"title": "Ваши подписки", "intro": "Выберите, какие рекламные сообщения вы хотите получать.",
           "on": "Вы получаете рекламные сообщения.", "off": "Вы отписались.",
           "leave": "Отписаться", "back": "Подписаться снова",
           "note": "Сообщения о ваших заказах (оплата, выдача) продолжат приходить.",
           "invalid": "Ссылка недействительна. Воспользуйтесь ссылкой из последнего полученного сообщения.",
           "left": "Готово: рекламных сообщений по каналу «{channel}» больше не будет.",
           "joined": "Готово: вы снова подписаны на канал «{channel}».",
           "email": "E-mail", "sms": "SMS"},
})


def csp() -> str:
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'")


def masked(address: str) -> str:
    """a•••@example.com, +7•••••••67: enough for the customer to recognise, little for anyone else."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"{address[:2]}{'•' * max(len(address) - 4, 1)}{address[-2:]}"
