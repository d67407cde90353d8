"""Messages to shop customers and staff: channels, the policy every customer message passes, templates.

`send_many(ctx, messages)` is the entry point for customers (CRM or SMTP e-mail, SMS gateway); `staff` holds
the portal's to-dos and notifications. Every message and its outcome is recorded in `messages`."""
from .context import MessagingContext, PortalMessaging
from .message import Delivery, Message, Recipient
from .send import send, send_many

__all__ = ["Delivery", "Message", "MessagingContext", "PortalMessaging", "Recipient", "send", "send_many"]
