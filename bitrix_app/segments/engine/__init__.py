"""The segment engine: the set-based full rebuild (core.rebuild, staging, compute, quintiles), the incremental
update of a few customers (core.refresh_customers / refresh_quietly, incremental, pgfast), memberships,
transitions and snapshots. Depends on segments.kinds, segments.figures and segments.settings."""
from .core import load_state, make_env, rebuild, refresh_customers, refresh_quietly
from .memberships import codes_of
from .snapshot import ACTIVE_CELLS, latest

__all__ = ["ACTIVE_CELLS", "codes_of", "latest", "load_state", "make_env", "rebuild",
           "refresh_customers", "refresh_quietly"]
