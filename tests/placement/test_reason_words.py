"""Every reason a message can be stopped for is worded in Russian and English (the card and the message log)."""
from __future__ import annotations

from bitrix_app.placement import card_words
from bitrix_app.store.statuses import ReasonCode


def test_every_reason_code_has_its_words_in_both_languages():
    for code in ReasonCode:
        en, ru = card_words.reason_words(code, "en"), card_words.reason_words(code, "ru")
        assert en != card_words.UNKNOWN_REASON[0] and ru != card_words.UNKNOWN_REASON[1], code
        assert en != ru, code
    assert "unsubscribed" in card_words.reason_words(ReasonCode.UNSUBSCRIBED, "en")
    assert "отписался" in card_words.reason_words(ReasonCode.UNSUBSCRIBED, "ru")
