"""Segment kinds and a portal's definitions: the contract every kind meets (contract.py), the kinds themselves
(builtin, crosssell, replenish, rules with rules_schema; prepared holds their set-based full-rebuild forms), the
definitions of a portal (definitions.py: built-ins from its settings plus stored ones) and the freezing of a
stored definition that cannot be evaluated (isolation.py). Depends on segments.figures and segments.settings,
never on the engine."""
from .builtin import GROUP_NAMES
from .contract import KINDS, Env, SegmentDef, kind_module
from .definitions import create, delete, describe, for_portal, listing, stored, update, with_stored

__all__ = ["GROUP_NAMES", "KINDS", "Env", "SegmentDef", "create", "delete", "describe", "for_portal", "kind_module",
           "listing", "stored", "update", "with_stored"]
