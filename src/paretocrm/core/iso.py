"""ISO code lists used to validate country and currency fields.

Kept as literal strings (no runtime download, no extra dependency). Country codes are the
249 officially assigned ISO 3166-1 alpha-2 codes; currency codes are the active ISO 4217
alphabetic codes (list 1), including funds codes that ERPs sometimes export.
"""

from __future__ import annotations

_COUNTRIES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""

_CURRENCIES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS
INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR
PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW
UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA
YER ZAR ZMW ZWG ZWL
"""

COUNTRY_CODES: frozenset[str] = frozenset(_COUNTRIES.split())
CURRENCY_CODES: frozenset[str] = frozenset(_CURRENCIES.split())

#: How people write a currency in files from Chinese ERPs and spreadsheets (issue 16):
#: names, symbols and the colloquial "RMB", keyed upper-case without spaces.
CURRENCY_ALIASES: dict[str, str] = {
    "RMB": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY", "CN¥": "CNY",
    "人民幣": "CNY", "US$": "USD", "$": "USD", "美元": "USD", "美金": "USD",
    "€": "EUR", "欧元": "EUR", "歐元": "EUR", "£": "GBP", "英镑": "GBP", "英鎊": "GBP",
    "HK$": "HKD", "港币": "HKD", "港元": "HKD", "港幣": "HKD", "日元": "JPY", "日圓": "JPY",
    "NT$": "TWD", "新台币": "TWD", "新台幣": "TWD", "澳门元": "MOP", "澳門元": "MOP",
    "S$": "SGD", "新加坡元": "SGD", "韩元": "KRW", "韓元": "KRW", "A$": "AUD", "澳元": "AUD",
}  # fmt: skip


def currency_code(text: str) -> str:
    """The ISO 4217 code a written currency means: ``rmb`` / ``人民币`` / ``¥`` -> ``CNY``.

    Unknown text comes back upper-cased, so the caller's check against
    :data:`CURRENCY_CODES` names it as written.
    """
    written = "".join(str(text).split()).upper()
    return CURRENCY_ALIASES.get(written, written)
