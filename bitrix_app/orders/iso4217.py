"""ISO 4217 currency codes a shop may price an order in (a static table: no registry is read at run time).

Current alphabetic codes of currencies in circulation, including the supranational ones (EUR, XAF, XCD,
XCG, XOF, XPF); fund codes, precious metals, bond units, XTS (testing) and XXX (no currency) are left out:
no shop sells in them.
"""
from __future__ import annotations

ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK
NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST
XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
""".split())


def allowed_codes(portal_codes) -> frozenset[str]:
    """The codes an event may carry: the portal's own currencies that are ISO 4217 codes, or every ISO 4217
    code while the portal's list is not known (None or empty)."""
    if not portal_codes:
        return ISO_4217
    known = ISO_4217.intersection(portal_codes)
    return frozenset(known) or ISO_4217
