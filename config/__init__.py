"""Settings: the one place environment variables are read."""
from .settings import ConfigError, Settings, load_config

__all__ = ["ConfigError", "Settings", "load_config"]
