"""Promo codes: issued by the issue_promo_code robot, checked by shops, marked used by their orders."""
