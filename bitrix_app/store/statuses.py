"""The statuses stored in the tables, as `StrEnum`s: a member equals its string, so rows and JSON stay the same.

Columns keep their string types; compare and write these members instead of bare strings.
"""
from __future__ import annotations

from enum import StrEnum


class InboxStatus(StrEnum):
    """`shop_events.status`: an accepted shop event waits, was applied, was left out, or gave up."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class RobotCallStatus(StrEnum):
    """`robot_calls.status`: what became of the robot's own work."""

    RECEIVED = "received"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReplyStatus(StrEnum):
    """`robot_calls.reply_status`: the answer to the portal's workflow."""

    PENDING = "pending"
    SENT = "sent"
    NOT_NEEDED = "not_needed"
    FAILED = "failed"


class MessageStatus(StrEnum):
    """`messages.status`: sending (handed over, answer not yet recorded), sent, deferred, skipped, failed."""

    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    SKIPPED = "skipped"
    FAILED = "failed"


class ReasonCode(StrEnum):
    """`messages.reason_code`: why a message was skipped or deferred, for rules and reports to branch on.

    `reason` keeps the human text; nothing reads a reason out of that text."""

    NO_CONTACT = "no_contact"  # nobody to write to
    NO_ADDRESS = "no_address"  # the customer has no address on the channel
    NO_CONSENT = "no_consent"  # a marketing message without the customer's consent for the channel
    UNSUBSCRIBED = "unsubscribed"  # a marketing message to an address that left the channel's marketing messages
    NO_GATEWAY = "no_gateway"  # the portal has no transport for the channel
    NO_CHANNEL = "no_channel"  # a channel the messaging layer does not know
    FREQUENCY_CAP = "frequency_cap"
    DUPLICATE = "duplicate"  # the same template reached the customer within the duplicate window
    MISSING_DATA = "missing_data"  # the template needs a value nobody has
    OUTCOME_UNKNOWN = "outcome_unknown"  # an earlier hand-over's answer was lost: never sent twice
    QUIET_HOURS = "quiet_hours"  # deferred to the end of the customer's quiet hours
    NOT_INSTALLED = "not_installed"  # the portal went away before a deferred message's time
    POLICY = "policy"  # any other refusal


class PortalStatus(StrEnum):
    """`portals.status`: new -> active -> blocked -> deleted (a reinstall brings any of them back to new)."""

    NEW = "new"  # installed, setup not finished
    ACTIVE = "active"  # setup converged, tokens work
    BLOCKED = "blocked"  # token refresh failed for good: reason in status_reason
    DELETED = "deleted"  # ONAPPUNINSTALL received


class ShopStatus(StrEnum):
    """`shops.status`: a connected shop posts events while active."""

    ACTIVE = "active"
    DISCONNECTED = "disconnected"  # the admin disconnected it: its events are refused, its orders stay


class CampaignEntryStatus(StrEnum):
    """`campaign_entries.status`: actions to run (or retry, or wait for), done, given up, or held out."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    HOLDOUT = "holdout"


class SegmentStatus(StrEnum):
    """`segment_definitions.status`: evaluated, or left out of the rebuild because it could not be."""

    ACTIVE = "active"
    FAILED = "failed"
