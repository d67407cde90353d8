"""Data for the pages the portal opens: the deal and contact tabs (a customer card) and the admin page.

Everything here reads the app's own tables only (no portal round trip): the views in placement_ui verify the
portal's callback, call one function of this package and render its result.
"""
