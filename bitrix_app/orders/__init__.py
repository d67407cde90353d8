"""Shop events into deals: event schemas, normalisation, inbox, order-to-deal sync, abandoned carts."""
