"""The portal's web edge: what every inbound view shares, below both `handlers` and `placement_ui`.

The JSON error shape and its handlers (`errors`), the guard against hostile bodies (`edge`), the parsing of the
portal's callbacks (`portal_form`), the admin API's bearer tokens and role checks (`admin_auth`) and its shared
helpers (`admin_api`). It imports only `bitrix_app` and `config`; whoever builds the app registers it.
"""
