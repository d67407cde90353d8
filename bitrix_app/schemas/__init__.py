"""Marshmallow schemas of every inbound payload, by surface."""
