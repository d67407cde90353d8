"""Property-based: requests generated from the served OpenAPI description, signed like a shop signs them, sent to
the live app on the embedded stack. Schema-valid requests are accepted (2xx), invalid bodies are refused (4xx),
nothing answers 5xx. Loopback only; hypothesis keeps no example database."""
from __future__ import annotations

import json
import string
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest
import requests

pytestmark = pytest.mark.long  # handed out first in a parallel run

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core.parameters import ParameterLocation  # noqa: E402

from bitrix_app.orders.adapters.signatures import sign_generic  # noqa: E402
from bitrix_app.orders.iso4217 import ISO_4217  # noqa: E402
from bitrix_app.portals import refresh_currencies  # noqa: E402
from bitrix_app.promo.signing import sign_request  # noqa: E402
from tests.fixtures.shop_env import connect_shop  # noqa: E402

# invalid bodies are slower to draw (hypothesis mutates the description's nested shapes), so fewer of them keep
# the test under 10 s beside the rest of the suite on two cores
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 18}


def _settings(mode: GenerationMode):
    return settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _rfc3339_in_range() -> st.SearchStrategy[str]:
    """RFC 3339 date-times dated as the description's pattern asks (1900-2199): drawn directly instead of
    drawing any year and filtering, which makes generation many times slower."""
    def number(low: int, high: int) -> st.SearchStrategy[str]:
        return st.integers(low, high).map(lambda value: f"{value:02d}")

    fraction = st.just("") | st.text(alphabet=string.digits, min_size=1, max_size=6).map(".".__add__)
    offset = st.just("Z") | st.builds("{}{}:{}".format, st.sampled_from("+-"), number(0, 23), number(0, 59))
    moment = st.builds("{}:{}:{}{}{}".format, number(0, 23), number(0, 59), number(0, 59), fraction, offset)
    return st.builds("{}T{}".format, st.dates(date(1900, 1, 1), date(2199, 12, 31)).map(str), moment)


@pytest.fixture
def date_times_in_range():
    schemathesis.openapi.format("date-time", _rfc3339_in_range())
    yield
    from schemathesis.specs.openapi.formats import unregister_string_format

    unregister_string_format("date-time")


@pytest.fixture
def live_shop(portal_env, date_times_in_range):
    """A connected shop whose portal has every ISO 4217 currency, so any code the description allows is one
    of the portal's too."""
    shop = connect_shop(portal_env())
    table = shop.env.sandbox.portal.table("crm_currency")
    have = {row["CURRENCY"] for row in table.values()}
    for n, code in enumerate(sorted(ISO_4217 - have), start=len(table) + 1):
        table[n] = {"CURRENCY": code, "NAME": code, "BASE": "N", "SORT": str(1000 + n), "AMOUNT_CNT": "1",
                    "AMOUNT": "1.0000"}
    with shop.env.app.app_context():
        assert set(refresh_currencies(shop.member_id)) >= ISO_4217
    return shop


def _schema(shop):
    res = requests.get(f"{shop.env.live.url}/shop/v1/openapi.json", timeout=30)
    res.raise_for_status()
    schema = schemathesis.openapi.from_dict(res.json())
    # the body rules the description states in words: no NUL, no lone surrogate (UTF-8 strings)
    schema.config.generation.update(allow_x00=False, codec="utf-8")
    return schema


def _negative_parts(case) -> set:
    meta = case.meta
    return {loc for loc, info in (meta.components.items() if meta else ()) if info.mode == GenerationMode.NEGATIVE}


def _send_event(shop, case) -> requests.Response:
    """The signing hook of the events endpoint: the body as sent, signed with the shop's secret."""
    kwargs = case.as_transport_kwargs(shop.env.live.url)
    raw = kwargs.pop("data", None)
    if "json" in kwargs:
        raw = json.dumps(kwargs.pop("json")).encode()
    raw = raw if isinstance(raw, bytes) else (raw or "").encode()
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() != "x-signature"}
    headers["X-Signature"] = sign_generic(raw, shop.secret)
    return requests.post(kwargs["url"], data=raw, headers=headers, timeout=30)


def _send_promo_check(shop, case) -> requests.Response:
    """The signing hook of the promo-code check: the decoded path and a fresh timestamp."""
    kwargs = case.as_transport_kwargs(shop.env.live.url)
    stamp = str(int(shop.env.app.extensions["bitrix_app"]["clock"].now().timestamp()))
    path = unquote(urlsplit(kwargs["url"]).path)
    headers = {"X-Timestamp": stamp, "X-Signature": sign_request("GET", path, stamp, shop.secret)}
    return requests.get(kwargs["url"], headers=headers, timeout=30)


def _judge(case, res: requests.Response, body_location) -> None:
    assert res.status_code < 500, (res.status_code, res.text[:500], case.body)
    if body_location in _negative_parts(case):
        assert 400 <= res.status_code < 500, ("schema-invalid request accepted", res.status_code, case.body)
    else:
        assert 200 <= res.status_code < 300, ("schema-valid request refused", res.status_code, res.text[:800],
                                              case.body, case.path_parameters)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_events_endpoint_honours_its_description(live_shop, mode):
    operation = _schema(live_shop)["/shop/v1/{shop_id}/events"]["POST"]

    @_settings(mode)
    @given(operation.as_strategy(mode, path_parameters={"shop_id": live_shop.shop_id}))
    def check(case):
        _judge(case, _send_event(live_shop, case), ParameterLocation.BODY)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_promo_code_check_honours_its_description(live_shop, mode):
    operation = _schema(live_shop)["/shop/v1/{shop_id}/promo-codes/{code}"]["GET"]

    @_settings(mode)
    @given(operation.as_strategy(mode, path_parameters={"shop_id": live_shop.shop_id}))
    def check(case):
        res = _send_promo_check(live_shop, case)
        assert res.status_code < 500, (res.status_code, res.text[:500], case.path_parameters)
        if ParameterLocation.PATH in _negative_parts(case):
            assert 400 <= res.status_code < 500, ("schema-invalid code accepted", case.path_parameters)
        else:
            assert res.status_code == 200, ("schema-valid check refused", res.status_code, res.text[:500],
                                            case.path_parameters)

    check()
