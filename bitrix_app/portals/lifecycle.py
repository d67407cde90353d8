"""Portal statuses: new -> active -> blocked -> deleted (a reinstall brings any of them back to new)."""
from bitrix_app.store.statuses import PortalStatus

NEW = PortalStatus.NEW  # installed, setup not finished
ACTIVE = PortalStatus.ACTIVE  # setup converged, tokens work
BLOCKED = PortalStatus.BLOCKED  # token refresh failed for good: reason in status_reason
DELETED = PortalStatus.DELETED  # ONAPPUNINSTALL received
STATUSES = tuple(s.value for s in PortalStatus)
USABLE = (NEW, ACTIVE)  # statuses in which the app may call the portal
