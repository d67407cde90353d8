"""A customer's figures and the SQL shapes every segment path shares (the bottom layer of segments: it imports
no other segments sub-package). lifecycle: pure figures, cell and fallback RFM code from a list of orders;
rfm: the quintile scores, named groups, cell and LTV as SQL expressions; sqlfn: SQL helpers that read the same
on SQLite and PostgreSQL; lines: shop_order_lines kept in step with an order."""
from .lifecycle import NOT_PURCHASES, PAID, CustomerStats, OrderFact, Thresholds, customer_stats, lifecycle_cell
from .lifecycle import rfm_code as fallback_rfm_code
from .lines import record_lines
from .rfm import GRID, GROUPS, group_of, rfm_code

__all__ = ["GRID", "GROUPS", "NOT_PURCHASES", "PAID", "CustomerStats", "OrderFact", "Thresholds", "customer_stats",
           "fallback_rfm_code", "group_of", "lifecycle_cell", "record_lines", "rfm_code"]
