"""Every model module, imported on demand, so Base.metadata knows all tables (migrations, purge, tests)."""
from __future__ import annotations

from .db import Base


def all_tables():
    """Base.metadata with every table registered, dependants last."""
    from . import (campaign_models, message_models, models, promo_models, robot_models, segment_models,
                   shop_models)

    del campaign_models, message_models, models, promo_models, robot_models, segment_models, shop_models
    return Base.metadata
