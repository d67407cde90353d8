"""Placeholder: filled in by its owner."""
from ..context import methods

METHODS = methods()
