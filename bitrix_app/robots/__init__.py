"""Automation-rule actions (robots): declarations, handlers, replies."""
