"""Installations (tenants), OAuth tokens with single-flight refresh, install/uninstall use cases."""
