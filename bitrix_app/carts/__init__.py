"""Abandoned carts: cart state from shop events, timers, the abandoned-cart deal and customer reminders."""
