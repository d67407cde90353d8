"""Customer segments: pure rules over a customer's order history.

The public face: code outside bitrix_app.segments imports from here (or from the sub-package faces
`segments.engine`, `segments.kinds`, `segments.crm`, `segments.figures`), never from a module inside.
Layers, lowest first: figures -> kinds (with settings) -> engine -> crm and the use cases at this level
(admin, explain, export, ltv, jobs). Modules inside the package import each other by relative module path,
never through this face, so importing any of them never runs into a half-initialised package.
"""
from .admin import UnknownSegment, define, listing_with_counts, require_code, trend
from .crm import enqueue_write_back, import_deals, write_back
from .engine import ACTIVE_CELLS, codes_of, load_state, rebuild, refresh_customers, refresh_quietly
from .engine import latest as latest_snapshot
from .explain import explain as explain_customer
from .explain import explain_in
from .export import WRITERS, export_rows
from .export import page as export_page
from .figures import (GROUPS, NOT_PURCHASES, PAID, CustomerStats, OrderFact, Thresholds, customer_stats,
                      fallback_rfm_code, group_of, lifecycle_cell, record_lines, rfm_code)
from .jobs import enqueue_rebuild, rebuild_all
from .kinds import GROUP_NAMES, KINDS, SegmentDef
from .kinds import create as create_definition
from .kinds import delete as delete_definition
from .kinds import for_portal as portal_definitions
from .kinds import listing as definitions_listing
from .kinds import stored as stored_definitions
from .kinds import update as update_definition
from .ltv import ltv_report
from .settings import get_settings, update_settings

__all__ = ["ACTIVE_CELLS", "GROUPS", "GROUP_NAMES", "KINDS", "NOT_PURCHASES", "PAID", "WRITERS", "CustomerStats",
           "OrderFact", "SegmentDef", "Thresholds", "UnknownSegment", "codes_of", "create_definition",
           "customer_stats", "define", "definitions_listing", "delete_definition", "enqueue_rebuild",
           "enqueue_write_back", "explain_customer", "explain_in", "export_page", "export_rows", "fallback_rfm_code",
           "get_settings", "group_of", "import_deals", "latest_snapshot", "lifecycle_cell", "listing_with_counts",
           "load_state", "ltv_report", "portal_definitions", "rebuild", "rebuild_all", "record_lines",
           "refresh_customers", "refresh_quietly", "require_code", "stored_definitions", "trend",
           "update_definition", "update_settings", "write_back"]
