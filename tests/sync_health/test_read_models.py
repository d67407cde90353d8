"""The sync health read models' pure parts: error kinds and the CRM document of a robot call
(token health is read through the API: tests/sync_health/test_sync_api.py)."""
from __future__ import annotations

import pytest

from bitrix_app.crm.fields import currency_refusal
from bitrix_app.inbox.dead_letters import error_kind
from bitrix_app.robots.audit import document_of


@pytest.mark.parametrize("error, kind", [
    (currency_refusal('crm.deal.add: Invalid value for the "Currency" field'), "currency_refused"),
    ("the portal's shop pipeline is not set up yet", "pipeline_missing"),
    ("portal blocked: waiting for access", "portal_blocked"),
    ("PortalUnavailable: 503 from the portal", "portal_unavailable"),
    ("PortalError: ACCESS_DENIED", "portal_error"),
    ("cannot load the stored event: bad JSON", "bad_event"),
    ("the abandoned-cart deal is not known yet", "deal_unknown"),
    ("reminder not sent: no gateway", "message_failed"),
    ("something new", "other"),
    (None, "other"),
])
def test_a_stored_error_has_a_kind_the_screen_words(error, kind):
    assert error_kind(error) == kind


@pytest.mark.parametrize("raw, document", [
    ('["crm", "CCrmDocumentDeal", "DEAL_5"]', {"kind": "deal", "id": 5}),
    ('["crm", "CCrmDocumentLead", "LEAD_12"]', {"kind": "lead", "id": 12}),
    ('["crm", "CCrmDocumentSmartProcess", "DYNAMIC_1_2"]', None),
    ('["crm", "CCrmDocumentDeal", "DEAL_x"]', None),
    ("not json", None),
])
def test_a_robot_calls_document_is_a_crm_item_or_nothing(raw, document):
    assert document_of(raw) == document

