"""What segments write to or read from the portal's CRM: the write-back of figures to contacts (a queue job) and
the import of existing won deals as order history."""
from .history import import_deals
from .writeback import enqueue_write_back, write_back

__all__ = ["enqueue_write_back", "import_deals", "write_back"]
