"""What a portal posts to a robot's handler when an automation rule runs it (contract §5.2)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates

from .portal import EventAuthSchema

CODE = validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$", error="not a robot code")
WORKFLOW_ID = validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$", error="not a workflow id")
# `<workflow_id>|A<digits_...>|<32 chars>.<64 hex>` in every documented example
EVENT_TOKEN = validate.Regexp(r"^[A-Za-z0-9._|-]{1,512}$", error="not an event token")
PROPERTY = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,63}$", error="not a property code")
DOCUMENT_PART = validate.Length(min=1, max=120)
MAX_PROPERTY_CHARS = 20_000


class RobotCallSchema(Schema):
    """One robot call; values arrive as strings (multiple properties as lists)."""

    class Meta:
        unknown = EXCLUDE

    workflow_id = fields.String(required=True, validate=WORKFLOW_ID)
    code = fields.String(load_default=None, validate=CODE)
    document_id = fields.List(fields.String(validate=DOCUMENT_PART), required=True, validate=validate.Length(equal=3))
    document_type = fields.List(fields.String(validate=DOCUMENT_PART), load_default=list,
                                validate=validate.Length(max=3))
    event_token = fields.String(required=True, validate=EVENT_TOKEN)
    properties = fields.Dict(keys=fields.String(validate=PROPERTY), values=fields.Raw(allow_none=True),
                             load_default=dict)
    use_subscription = fields.String(load_default="", validate=validate.OneOf(["Y", "N", ""]))
    timeout_duration = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    ts = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{0,12}$"))
    auth = fields.Nested(EventAuthSchema, required=True)

    @pre_load
    def _normalise(self, data, **_):
        data = dict(data)
        if isinstance(data.get("use_subscription"), str):
            data["use_subscription"] = data["use_subscription"].strip().upper()
        if data.get("properties") in ("", []):  # PHP sends an empty map as nothing or []
            data["properties"] = {}
        return data

    @validates("properties")
    def _bounded(self, value, **_):
        if sum(len(str(v)) for v in value.values()) > MAX_PROPERTY_CHARS:
            raise ValidationError("the property values are too long")
        for key, item in value.items():
            if not isinstance(item, (str, list)) or (isinstance(item, list) and not all(isinstance(i, str) for i in item)):
                raise ValidationError(f"{key}: a value must be a string or a list of strings")
