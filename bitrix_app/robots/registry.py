"""The robots this app registers in every portal. Declared in one place; setup converges to it.

Empty until the robot actions themselves ship: registering a robot whose handler does not
run yet would put a dead action into portals' automation rules.
"""
from __future__ import annotations

ROBOTS: tuple[dict, ...] = ()
