"""The shop-event inbox: accept durably, hand to the sync, sweep what was left behind, dead letters."""
