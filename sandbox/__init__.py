"""A faithful Bitrix24 portal emulator served over real HTTP on loopback."""
from .runner import SandboxServer
from .state import Portal, SandboxConfig

__all__ = ["Portal", "SandboxConfig", "SandboxServer"]
