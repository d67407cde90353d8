"""A campaign may send a template the portal's admin wrote, not only the built-in ones."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from bitrix_app.campaigns import definitions, editor
from bitrix_app.messaging import templates
from bitrix_app.store.db import transaction
from tests.campaigns.campaigns_env import CAMPAIGN, campaigns_env


def _portal(portal_env):
    env = campaigns_env(portal_env)
    with transaction(env.factory()) as s:
        templates.save(s, env.member_id, "spring_sale", "en", env.clock.now(), subject="Spring sale, {first_name}",
                       text="Hello {first_name}, everything is 20 % off this week.", name="Spring sale",
                       channel="email")
        templates.save(s, env.member_id, "spring_code", "en", env.clock.now(), subject="Your code",
                       text="Use {promo_code} before it runs out.", name="Spring code", channel="email")
    return env


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


def _message(code: str) -> dict:
    return {"type": "message", "template": code, "channel": "email"}


def test_an_own_template_is_offered_accepted_and_sent(ce):
    with transaction(ce.factory()) as s:
        offered = {t["code"]: t for t in editor.options(s, ce.member_id, "en")["templates"]}
    assert offered["spring_sale"]["own"] is True and offered["spring_sale"]["subject"] == "Spring sale"
    assert offered["spring_code"]["needs_promo_code"] is True and "we_miss_you" in offered

    ce.campaign(actions=[_message("spring_sale")])
    ce.transition(ce.customer("Ann"))
    assert ce.run()["entered"] == 1
    [sent] = ce.messages("email")
    assert sent.template == "spring_sale" and sent.status == "sent"
    assert any("everything is 20 % off" in e["DESCRIPTION"] for e in ce.emails())


@pytest.mark.parametrize("actions, error", [
    ([_message("no_such_template")], "No template no_such_template"),
    ([_message("spring_code")], "spring_code shows a promo code: put a promo_code action before this message."),
])
def test_an_unknown_template_or_a_code_without_its_promo_action_is_refused_by_field(ce, actions, error):
    with transaction(ce.factory()) as s, pytest.raises(ValidationError) as err:
        definitions.create(s, ce.member_id, {**CAMPAIGN, "actions": actions}, ce.clock.now())
    assert err.value.messages["actions"][0]["template"][0].startswith(error)
    with transaction(ce.factory()) as s:
        assert definitions.list_campaigns(s, ce.member_id) == []


def test_an_own_promo_template_after_its_promo_action_is_accepted(ce):
    row = ce.campaign(actions=[{"type": "promo_code", "discount_percent": 10}, _message("spring_code")])
    assert [a["type"] for a in row["actions"]] == ["promo_code", "message"]

