"""The core: domain logic and integration with Bitrix24 portals. Never touches flask.request."""
