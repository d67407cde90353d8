"""Customer segments: pure rules over a customer's order history.

The public face: code outside bitrix_app.segments imports from here (or from the sub-package faces
`segments.engine`, `segments.kinds`, `segments.crm`, `segments.figures`), never from a module inside.
Layers, lowest first: figures -> kinds (with settings) -> engine -> crm and the use cases at this level
(admin, explain, export, ltv, jobs). Modules inside the package import each other by relative module path,
never through this face, so importing any of them never runs into a half-initialised package.
"""
from .admin import UnknownSegment, define, listing_with_counts, require_code, segment_list, trend
from .crm import enqueue_write_back, import_deals, write_back
from .engine import ACTIVE_CELLS, codes_of, load_state, rebuild, refresh_customers, refresh_quietly
from .engine import latest as latest_snapshot
from .explain import explain as explain_customer
from .explain import explain_in
from .dryrun import preview as preview_definition
from .export import SORTS as MEMBER_SORTS
from .export import WRITERS, chunks, export_rows
from .export import page as export_page
from .export import sorted_page as members_page
from .figures import (GROUPS, NOT_PURCHASES, PAID, CustomerStats, OrderFact, Thresholds, customer_stats,
                      fallback_rfm_code, group_of, lifecycle_cell, record_lines, rfm_code)
from .jobs import enqueue_definition, enqueue_rebuild, rebuild_all
from .kinds import GROUP_NAMES, KINDS, SegmentDef
from .kinds import create as create_definition
from .kinds import delete as delete_definition
from .kinds import for_portal as portal_definitions
from .kinds import listing as definitions_listing
from .kinds import stored as stored_definitions
from .kinds import update as update_definition
from .ltv import ltv_report
from .products import pickable as pickable_products
from .recompute import mark_pending
from .recompute import recompute as recompute_definition
from .rule_words import portal_rule_schema
from .settings import get_settings, update_settings
from .thresholds import matrix_preview

__all__ = ["ACTIVE_CELLS", "CustomerStats", "GROUPS", "GROUP_NAMES", "KINDS", "MEMBER_SORTS", "NOT_PURCHASES",
           "OrderFact", "PAID", "SegmentDef", "Thresholds", "UnknownSegment", "WRITERS", "chunks", "codes_of",
           "create_definition", "customer_stats", "define", "definitions_listing", "delete_definition",
           "enqueue_definition", "enqueue_rebuild", "enqueue_write_back", "explain_customer", "explain_in",
           "export_page", "export_rows", "fallback_rfm_code", "get_settings", "group_of", "import_deals",
           "latest_snapshot", "lifecycle_cell", "listing_with_counts", "load_state", "ltv_report", "mark_pending",
           "matrix_preview", "members_page", "pickable_products", "portal_definitions", "portal_rule_schema",
           "preview_definition", "rebuild", "rebuild_all", "recompute_definition", "record_lines", "refresh_customers",
           "refresh_quietly", "require_code", "segment_list", "stored_definitions", "trend", "update_definition",
           "update_settings", "write_back"]
