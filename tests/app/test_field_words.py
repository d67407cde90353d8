"""Validation messages in the reader's language."""
from __future__ import annotations

from webedge.field_words import localise


def test_common_messages_read_russian_and_other_text_is_kept():
    fields = {"limit": ["Must be greater than or equal to 1 and less than or equal to 5000."],
              "name": ["Missing data for required field."], "items": {"0": {"qty": ["Not a valid integer."]}},
              "delay": ["Must be greater than or equal to 5."], "rule": ["age is compared with numbers from 0 to 150"],
              "kind": ["Must be one of: custom, lapsed."]}
    ru = localise(fields, "ru")
    assert ru["limit"] == ["Значение должно быть не меньше 1 и не больше 5000."]
    assert ru["name"] == ["Обязательное поле."] and ru["items"]["0"]["qty"] == ["Нужно целое число."]
    assert ru["delay"] == ["Значение должно быть не меньше 5."]
    assert ru["rule"] == fields["rule"] and ru["kind"] == ["Допустимые значения: custom, lapsed."]
    assert localise(fields, "en") == fields and localise(fields, None) == fields


def test_the_error_handler_words_field_errors_for_a_russian_reader(app):
    from marshmallow import Schema, ValidationError, fields

    class Probe(Schema):
        n = fields.Integer(required=True)

    for header, expected in (("ru-RU,ru;q=0.9,en;q=0.5", "Обязательное поле."),
                             ("en", "Missing data for required field."), (None, "Missing data for required field.")):
        with app.test_request_context("/", headers={"Accept-Language": header} if header else {}):
            try:
                Probe().load({})
            except ValidationError as err:
                body, status = app.handle_user_exception(err)
            assert status == 422 and body.get_json()["details"]["fields"] == {"n": [expected]}
