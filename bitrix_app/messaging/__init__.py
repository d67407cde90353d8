"""Messages to shop customers: one `Message`, channels chosen by consent and reachability, quiet hours kept.

`send_many(ctx, messages)` is the entry point; today the only channel is a CRM e-mail sent by the portal.
"""
from .message import Delivery, Message, Recipient
from .send import send, send_many

__all__ = ["Delivery", "Message", "Recipient", "send", "send_many"]
