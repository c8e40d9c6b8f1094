"""ISO 3166-1 alpha-2 codes: the vocabulary for jurisdictions and regions.

Kept as data here (249 codes) rather than pulling in a country database
for one membership test.
"""

ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE
    BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD
    CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF
    GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK
    TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a whitespace-separated table of 249 codes reads better than a list literal
)

EU_MEMBER_STATES: frozenset[str] = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905 - 27 codes
)
"""The 27 EU member states (ISO 3166-1; Greece is GR, not the EU's own "EL"), where EU sanctions regulations apply directly."""

UK_SANCTIONS_AREA: frozenset[str] = frozenset({"GB", "GG", "JE", "IM"})
"""The United Kingdom and the Crown Dependencies, which give effect to the UK Sanctions List."""

US_SANCTIONS_AREA: frozenset[str] = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
"""The United States and its territories, where OFAC's lists (in the CSL) apply."""
