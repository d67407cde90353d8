"""Shops connected to portals, and the per-portal settings of the shop features."""
