"""REST method tables, one module per area; each exposes METHODS."""
