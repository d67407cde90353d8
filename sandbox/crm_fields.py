"""Field tables of deals, contacts and leads: what crm.*.fields describes and the order crm.*.get returns."""
from __future__ import annotations

# (name, type, title, flags, extra); flags: R read-only, I immutable, M multiple, Q required, D deprecated
# Order and titles as D api-reference/crm/deals/crm-deal-fields.md shows them.
DEAL_FIELDS = (
    ("ID", "integer", "ID", "R", None),
    ("TITLE", "string", "Title", "", None),
    ("TYPE_ID", "crm_status", "Type", "", {"statusType": "DEAL_TYPE"}),
    ("CATEGORY_ID", "crm_category", "Sales Funnel", "I", None),
    ("STAGE_ID", "crm_status", "Deal Stage", "", {"statusType": "DEAL_STAGE"}),
    ("STAGE_SEMANTIC_ID", "string", "Stage Group", "R", None),
    ("IS_NEW", "char", "New Deal", "R", None),
    ("IS_RECURRING", "char", "Recurring Deal", "", None),
    ("IS_RETURN_CUSTOMER", "char", "Repeat Deal", "", None),
    ("IS_REPEATED_APPROACH", "char", "Repeated Approach", "", None),
    ("PROBABILITY", "integer", "Probability", "", None),
    ("CURRENCY_ID", "crm_currency", "Currency", "", None),
    ("OPPORTUNITY", "double", "Amount", "", None),
    ("IS_MANUAL_OPPORTUNITY", "char", "IS_MANUAL_OPPORTUNITY", "", None),
    ("TAX_VALUE", "double", "Tax Rate", "", None),
    ("COMPANY_ID", "crm_company", "Company", "", {"settings": {"parentEntityTypeId": 4}}),
    ("CONTACT_ID", "crm_contact", "Contact", "D", None),
    ("CONTACT_IDS", "crm_contact", "Contacts", "M", None),
    ("QUOTE_ID", "crm_quote", "Estimate", "R", {"settings": {"parentEntityTypeId": 7}}),
    ("BEGINDATE", "date", "Start Date", "", None),
    ("CLOSEDATE", "date", "Close Date", "", None),
    ("OPENED", "char", "Available to All", "", None),
    ("CLOSED", "char", "Closed", "", None),
    ("COMMENTS", "string", "Comment", "", None),
    ("ASSIGNED_BY_ID", "user", "Responsible", "", None),
    ("CREATED_BY_ID", "user", "Created By", "R", None),
    ("MODIFY_BY_ID", "user", "Modified By", "R", None),
    ("MOVED_BY_ID", "user", "MOVED_BY_ID", "R", None),
    ("DATE_CREATE", "datetime", "Creation Date", "R", None),
    ("DATE_MODIFY", "datetime", "Modification Date", "R", None),
    ("MOVED_TIME", "datetime", "MOVED_TIME", "R", None),
    ("SOURCE_ID", "crm_status", "Source", "", {"statusType": "SOURCE"}),
    ("SOURCE_DESCRIPTION", "string", "Additional Info about Source", "", None),
    ("LEAD_ID", "crm_lead", "Lead", "R", {"settings": {"parentEntityTypeId": 1}}),
    ("ADDITIONAL_INFO", "string", "Additional Information", "", None),
    ("LOCATION_ID", "location", "Location", "", None),
    ("ORIGINATOR_ID", "string", "External Source", "", None),
    ("ORIGIN_ID", "string", "Identifier in External Source", "", None),
    ("UTM_SOURCE", "string", "Advertising System", "", None),
    ("UTM_MEDIUM", "string", "Traffic Type", "", None),
    ("UTM_CAMPAIGN", "string", "Campaign Identifier", "", None),
    ("UTM_CONTENT", "string", "Campaign Content", "", None),
    ("UTM_TERM", "string", "Campaign Search Condition", "", None),
    ("LAST_ACTIVITY_TIME", "datetime", "LAST_ACTIVITY_TIME", "R", None),
    ("LAST_ACTIVITY_BY", "user", "LAST_ACTIVITY_BY", "R", None),
)

# crm.deal.get key order (D api-reference/crm/deals/crm-deal-get.md); CONTACT_IDS is not returned
DEAL_ROW = (
    "ID", "TITLE", "TYPE_ID", "STAGE_ID", "PROBABILITY", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY",
    "TAX_VALUE", "LEAD_ID", "COMPANY_ID", "CONTACT_ID", "QUOTE_ID", "BEGINDATE", "CLOSEDATE", "ASSIGNED_BY_ID",
    "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "OPENED", "CLOSED", "COMMENTS",
    "ADDITIONAL_INFO", "LOCATION_ID", "CATEGORY_ID", "STAGE_SEMANTIC_ID", "IS_NEW", "IS_RECURRING",
    "IS_RETURN_CUSTOMER", "IS_REPEATED_APPROACH", "SOURCE_ID", "SOURCE_DESCRIPTION", "ORIGINATOR_ID",
    "ORIGIN_ID", "MOVED_BY_ID", "MOVED_TIME", "LAST_ACTIVITY_TIME", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN",
    "UTM_CONTENT", "UTM_TERM", "LAST_ACTIVITY_BY",
)

# D api-reference/crm/contacts/crm-contact-fields.md
CONTACT_FIELDS = (
    ("ID", "integer", "ID", "R", None),
    ("HONORIFIC", "crm_status", "Salutation", "", {"statusType": "HONORIFIC"}),
    ("NAME", "string", "First Name", "Q", None),
    ("SECOND_NAME", "string", "Middle Name", "Q", None),
    ("LAST_NAME", "string", "Last Name", "Q", None),
    ("PHOTO", "file", "Photo", "", None),
    ("BIRTHDATE", "date", "Birthdate", "", None),
    ("TYPE_ID", "crm_status", "Contact Type", "", {"statusType": "CONTACT_TYPE"}),
    ("SOURCE_ID", "crm_status", "Source", "", {"statusType": "SOURCE"}),
    ("SOURCE_DESCRIPTION", "string", "Additional Source Info", "", None),
    ("POST", "string", "Position", "", None),
    ("ADDRESS", "string", "Address", "", None),
    ("ADDRESS_2", "string", "Address (line 2)", "", None),
    ("ADDRESS_CITY", "string", "City", "", None),
    ("ADDRESS_POSTAL_CODE", "string", "Postal Code", "", None),
    ("ADDRESS_REGION", "string", "Region", "", None),
    ("ADDRESS_PROVINCE", "string", "State", "", None),
    ("ADDRESS_COUNTRY", "string", "Country", "", None),
    ("ADDRESS_COUNTRY_CODE", "string", "Country Code", "", None),
    ("ADDRESS_LOC_ADDR_ID", "integer", "Location Address ID", "", None),
    ("COMMENTS", "string", "Comment", "", None),
    ("OPENED", "char", "Available to all", "", None),
    ("EXPORT", "char", "Participates in contact export", "", None),
    ("HAS_PHONE", "char", "Phone set", "R", None),
    ("HAS_EMAIL", "char", "E-mail set", "R", None),
    ("HAS_IMOL", "char", "Open channel set", "R", None),
    ("ASSIGNED_BY_ID", "user", "Responsible", "", None),
    ("CREATED_BY_ID", "user", "Created by", "R", None),
    ("MODIFY_BY_ID", "user", "Modified by", "R", None),
    ("DATE_CREATE", "datetime", "Creation Date", "R", None),
    ("DATE_MODIFY", "datetime", "Modification Date", "R", None),
    ("COMPANY_ID", "crm_company", "Company", "D", None),
    ("COMPANY_IDS", "crm_company", "COMPANY_IDS", "M", None),
    ("LEAD_ID", "crm_lead", "Lead", "R", {"settings": {"parentEntityTypeId": 1}}),
    ("ORIGINATOR_ID", "string", "External Source", "", None),
    ("ORIGIN_ID", "string", "Identifier in External Source", "", None),
    ("ORIGIN_VERSION", "string", "Original Version", "", None),
    ("UTM_SOURCE", "string", "Advertising System", "", None),
    ("UTM_MEDIUM", "string", "Traffic Type", "", None),
    ("UTM_CAMPAIGN", "string", "Campaign Identifier", "", None),
    ("UTM_CONTENT", "string", "Campaign Content", "", None),
    ("UTM_TERM", "string", "Campaign Search Condition", "", None),
    ("LAST_ACTIVITY_TIME", "datetime", "Last Activity", "R", None),
    ("LAST_ACTIVITY_BY", "user", "Last Activity Author", "R", None),
    ("PHONE", "crm_multifield", "Phone", "M", None),
    ("EMAIL", "crm_multifield", "E-mail", "M", None),
    ("WEB", "crm_multifield", "Website", "M", None),
    ("IM", "crm_multifield", "Messenger", "M", None),
    ("LINK", "crm_multifield", "LINK", "M", None),
)

# crm.contact.get key order (D api-reference/crm/contacts/crm-contact-get.md), multi-fields come last
CONTACT_ROW = (
    "ID", "POST", "COMMENTS", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "PHOTO", "LEAD_ID", "TYPE_ID",
    "SOURCE_ID", "SOURCE_DESCRIPTION", "COMPANY_ID", "BIRTHDATE", "EXPORT", "HAS_PHONE", "HAS_EMAIL",
    "HAS_IMOL", "DATE_CREATE", "DATE_MODIFY", "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "OPENED",
    "ORIGINATOR_ID", "ORIGIN_ID", "ORIGIN_VERSION", "FACE_ID", "LAST_ACTIVITY_TIME", "ADDRESS", "ADDRESS_2",
    "ADDRESS_CITY", "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY",
    "ADDRESS_LOC_ADDR_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM",
    "LAST_ACTIVITY_BY",
)
MULTI_FIELDS = ("PHONE", "EMAIL", "WEB", "IM", "LINK")

# Order and titles as D api-reference/crm/leads/crm-lead-fields.md shows them
LEAD_FIELDS = (
    ("ID", "integer", "ID", "R", None),
    ("TITLE", "string", "Lead Title", "", None),
    ("HONORIFIC", "crm_status", "Salutation", "", {"statusType": "HONORIFIC"}),
    ("NAME", "string", "First Name", "", None),
    ("SECOND_NAME", "string", "Middle Name", "", None),
    ("LAST_NAME", "string", "Last Name", "", None),
    ("BIRTHDATE", "date", "Birthdate", "", None),
    ("COMPANY_TITLE", "string", "Company Name", "", None),
    ("SOURCE_ID", "crm_status", "Source", "", {"statusType": "SOURCE"}),
    ("SOURCE_DESCRIPTION", "string", "Additional Source Information", "", None),
    ("STATUS_ID", "crm_status", "Stage", "", {"statusType": "STATUS"}),
    ("STATUS_DESCRIPTION", "string", "Additional Stage Information", "", None),
    ("STATUS_SEMANTIC_ID", "string", "Status Semantic", "R", None),
    ("POST", "string", "Position", "", None),
    ("ADDRESS", "string", "Address", "", None),
    ("ADDRESS_2", "string", "Address (Line 2)", "", None),
    ("ADDRESS_CITY", "string", "City", "", None),
    ("ADDRESS_POSTAL_CODE", "string", "Postal Code", "", None),
    ("ADDRESS_REGION", "string", "Region", "", None),
    ("ADDRESS_PROVINCE", "string", "Province", "", None),
    ("ADDRESS_COUNTRY", "string", "Country", "", None),
    ("ADDRESS_COUNTRY_CODE", "string", "Country Code", "", None),
    ("ADDRESS_LOC_ADDR_ID", "integer", "Location Address ID", "", None),
    ("CURRENCY_ID", "crm_currency", "Currency", "", None),
    ("OPPORTUNITY", "double", "Amount", "", None),
    ("IS_MANUAL_OPPORTUNITY", "char", "IS_MANUAL_OPPORTUNITY", "", None),
    ("OPENED", "char", "Available to All", "", None),
    ("COMMENTS", "string", "Comment", "", None),
    ("HAS_PHONE", "char", "Phone Provided", "R", None),
    ("HAS_EMAIL", "char", "E-mail Provided", "R", None),
    ("HAS_IMOL", "char", "Open Channel Set", "R", None),
    ("ASSIGNED_BY_ID", "user", "Responsible User", "", None),
    ("CREATED_BY_ID", "user", "Created By", "R", None),
    ("MODIFY_BY_ID", "user", "Modified By", "R", None),
    ("MOVED_BY_ID", "user", "MOVED_BY_ID", "R", None),
    ("DATE_CREATE", "datetime", "Creation Date", "R", None),
    ("DATE_MODIFY", "datetime", "Modification Date", "R", None),
    ("MOVED_TIME", "datetime", "MOVED_TIME", "R", None),
    ("COMPANY_ID", "crm_company", "Company", "", {"settings": {"parentEntityTypeId": 4}}),
    ("CONTACT_ID", "crm_contact", "Contact", "D", None),
    ("CONTACT_IDS", "crm_contact", "CONTACT_IDS", "M", None),
    ("IS_RETURN_CUSTOMER", "char", "Returning Lead", "R", None),
    ("DATE_CLOSED", "datetime", "Closing Date", "R", None),
    ("ORIGINATOR_ID", "string", "External Source ID", "", None),
    ("ORIGIN_ID", "string", "Element ID in External Source", "", None),
    ("UTM_SOURCE", "string", "Advertising System", "", None),
    ("UTM_MEDIUM", "string", "Traffic Type", "", None),
    ("UTM_CAMPAIGN", "string", "Campaign Identifier", "", None),
    ("UTM_CONTENT", "string", "Campaign Content", "", None),
    ("UTM_TERM", "string", "Campaign Search Condition", "", None),
    ("LAST_ACTIVITY_TIME", "datetime", "LAST_ACTIVITY_TIME", "R", None),
    ("LAST_ACTIVITY_BY", "user", "LAST_ACTIVITY_BY", "R", None),
    ("PHONE", "crm_multifield", "Phone", "M", None),
    ("EMAIL", "crm_multifield", "E-mail", "M", None),
    ("WEB", "crm_multifield", "Website", "M", None),
    ("IM", "crm_multifield", "Messenger", "M", None),
    ("LINK", "crm_multifield", "LINK", "M", None),
)

# crm.lead.get key order (D api-reference/crm/leads/crm-lead-get.md); multi-fields come last, no CONTACT_IDS
LEAD_ROW = (
    "ID", "TITLE", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "COMPANY_TITLE", "COMPANY_ID", "CONTACT_ID",
    "IS_RETURN_CUSTOMER", "BIRTHDATE", "SOURCE_ID", "SOURCE_DESCRIPTION", "STATUS_ID", "STATUS_DESCRIPTION", "POST",
    "COMMENTS", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY", "HAS_PHONE", "HAS_EMAIL", "HAS_IMOL",
    "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "DATE_CLOSED",
    "STATUS_SEMANTIC_ID", "OPENED", "ORIGINATOR_ID", "ORIGIN_ID", "MOVED_BY_ID", "MOVED_TIME", "ADDRESS",
    "ADDRESS_2", "ADDRESS_CITY", "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY",
    "ADDRESS_COUNTRY_CODE", "ADDRESS_LOC_ADDR_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT",
    "UTM_TERM", "LAST_ACTIVITY_BY", "LAST_ACTIVITY_TIME",
)


def field_types(table: tuple, row_order: tuple) -> dict[str, str]:
    """Types of the row's standard single fields in row order (what `select: ['*']` returns)."""
    types = {name: ftype for name, ftype, _t, flags, _x in table if "M" not in flags}
    return {name: types.get(name, "integer" if name.endswith("_ID") else "string") for name in row_order}


def describe(table: tuple) -> dict:
    """crm.*.fields entries of the standard fields."""
    out = {}
    for name, ftype, title, flags, extra in table:
        entry = {
            "type": ftype,
            "isRequired": "Q" in flags,
            "isReadOnly": "R" in flags,
            "isImmutable": "I" in flags,
            "isMultiple": "M" in flags,
            "isDynamic": False,
        }
        if "D" in flags:
            entry["isDeprecated"] = True
        if extra and "statusType" in extra:
            entry["statusType"] = extra["statusType"]
        entry["title"] = title
        if extra and "settings" in extra:
            entry["settings"] = extra["settings"]
        out[name] = entry
    return out


DEAL_TYPES = field_types(DEAL_FIELDS, DEAL_ROW)
CONTACT_TYPES = field_types(CONTACT_FIELDS, CONTACT_ROW)
LEAD_TYPES = field_types(LEAD_FIELDS, LEAD_ROW)
