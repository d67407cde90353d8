"""The same end-to-end tests as over HTTP, collected again here to run against the HTTPS sandbox
(this folder's `portal_env` serves TLS and trusts its CA only through B24_CA_BUNDLE)."""
from __future__ import annotations

from tests.portals.test_install import test_install_registers_everything_once_and_activates  # noqa: F401
from tests.portals.conftest import installed  # noqa: F401
from tests.portals.test_tokens import (  # noqa: F401
    test_revoked_refresh_token_blocks_the_portal_with_a_reason, test_token_about_to_expire_is_refreshed_before_use,
)
from tests.robots.test_robot_calls import rb, test_a_call_is_answered_at_once_stored_and_replied_from_the_worker  # noqa: F401
from tests.shops.test_order_sync import shop, test_an_order_becomes_a_deal_with_contact_rows_stage_and_utm  # noqa: F401
from tests.roles.test_page_roles import (  # noqa: F401
    env, test_a_forged_auth_id_is_refused, test_a_manager_gets_the_tabs_with_a_staff_token_that_the_admin_api_refuses,
    test_a_portal_admin_gets_the_main_page_with_an_admin_token,
)
