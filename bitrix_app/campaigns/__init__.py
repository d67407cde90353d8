"""Client campaigns: a segment tied to a strategy (actions on entering it or on a schedule), with a holdout,
a cooldown, and a report of reach, conversions, revenue and uplift."""
