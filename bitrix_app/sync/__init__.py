"""Apply inbox events to the portal's CRM: contacts, deals, product rows, abandoned carts."""
