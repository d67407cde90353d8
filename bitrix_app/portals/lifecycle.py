"""Portal statuses: new -> active -> blocked -> deleted (a reinstall brings any of them back to new)."""
NEW = "new"  # installed, setup not finished
ACTIVE = "active"  # setup converged, tokens work
BLOCKED = "blocked"  # token refresh failed for good: reason in status_reason
DELETED = "deleted"  # ONAPPUNINSTALL received
STATUSES = (NEW, ACTIVE, BLOCKED, DELETED)
USABLE = (NEW, ACTIVE)  # statuses in which the app may call the portal
