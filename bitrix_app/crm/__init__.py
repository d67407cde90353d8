"""The CRM-writing core below sync and carts: the drain window's context and events, person matching,
CRM field building and deal look-ups. `sync` (orders, customers) and `carts` both build on it; it imports
neither of them."""
