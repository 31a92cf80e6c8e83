"""The detectors' parameters, in one place.

Legal amounts (the price base amount, the 0.05 and 0.5 pbb limits, the deadline, the sanction
fees) are NOT here: they come from ``law.py`` / ``law.csv``. What is here are the analytical
choices of this project: how far from a limit counts as "near", how big a rise is a "jump", which
years are election years. Each value names where it comes from (issue #5 of the project, or the
source of a fact). Pass another :class:`DetectorConfig` to ``run_all`` to try other settings.

Severities (documented choice)
------------------------------
Gaps are possible breaches; patterns are leads. A pattern's explanation says what the data shows
and why it is worth a look, never that the law was broken.

- ``high``: a probable breach of the law that carries a sanction: a forbidden anonymous gift kept
  in the report, an itemised gift without the donor's identity, a missing report from an
  organisation that must report every year, two copies of a report that disagree by more than
  0.5 pbb.
- ``medium``: something a reviewer should check: a late report, a total that does not add up, an
  identity number that fails its check digit, gifts clustered just under the anonymous limit, one
  donor giving to three or more of a party's organisations, donors sharing an address, a donor who
  provides half the income, lottery surges in election years, sudden jumps in income, copies that
  disagree by less than 0.5 pbb.
- ``low``: context a reader should see but that is lawful as reported, or may be: income of
  related entities (group 8); a foundation or association outside the party as donor (the law asks
  for the donor's identity only); a year without a report from an organisation that need only
  report when its income exceeds 0.5 pbb; an organisation donor in the open data without
  organisationsnummer (check the full report).

Flags are sorted by severity, then by amount (largest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

# Elections held in Sweden in the years the register covers (the law from 2014).
# Riksdag: ordinary elections every fourth year (regeringsformen 3 kap. 3 §), on the second Sunday
# of September (vallagen; valmyndigheten.se). European Parliament: 2014, 2019, 2024 (valmyndigheten.se).
ELECTIONS: dict[int, tuple[str, ...]] = {
    2014: ("Riksdag election 14 Sep 2014", "European Parliament election 25 May 2014"),
    2018: ("Riksdag election 9 Sep 2018",),
    2019: ("European Parliament election 26 May 2019",),
    2022: ("Riksdag election 11 Sep 2022",),
    2024: ("European Parliament election 9 Jun 2024",),
    2026: ("Riksdag election 13 Sep 2026",),
}

SEVERITY: dict[str, str] = {
    "missing_report": "low",  # "high" when the organisation must report every year (law.reporting_duty)
    "late_report": "medium",
    "total_mismatch": "medium",
    "anonymous_over_limit": "high",
    "anonymous_near_limit": "medium",
    "missing_donor_identity": "high",  # "low" for an organisation donor in the open data (a lead)
    "invalid_identifier": "medium",
    "split_across_entities": "medium",  # a lead: every report names its gift
    "intermediary_donor": "medium",  # "low" for a foundation or association as donor
    "related_entity_income": "low",
    "lottery_surge": "medium",
    "donor_concentration": "medium",
    "year_over_year_jump": "medium",
    "source_disagreement": "medium",  # "high" above source_disagreement_high_pbb
}


@dataclass(frozen=True)
class DetectorConfig:
    """Analytical parameters of the detectors (issue #5 unless stated)."""

    # total_mismatch: the printed total may differ from the sum of the lines by this much (SEK),
    # which absorbs rounding to whole kronor.
    total_tolerance_sek: float = 1.0
    # anonymous_near_limit: a gift is "near" when it lies within this fraction below the 0.05 pbb
    # limit (0.10 -> between 90 % and 100 % of the limit) ...
    near_limit_band: float = 0.10
    # ... and a report is flagged when it holds at least this many such anonymous gifts.
    near_limit_min_count: int = 3
    # split_across_entities: one donor to at least this many organisations of one party in a year.
    split_min_organisations: int = 3
    # intermediary_donor: donors at one address; at least this many distinct donors.
    shared_address_min_donors: int = 2
    # lottery_surge: which income types are lottery income is the code map's is_lottery column
    # (maps/income_types.csv: 3.2 licensed, 3.3 other), read through harmonise.
    # lottery_surge: election-year lottery income at least this multiple of the median of the
    # organisation's other years ...
    lottery_ratio: float = 3.0
    # ... with at least this many other years to take a median of ...
    lottery_min_other_years: int = 2
    # ... and more than this many pbb (precision guard: buying tickets for less than the 0.5 pbb
    # identity threshold hides nothing that would have had to be named).
    lottery_min_pbb: float = 0.5
    # donor_concentration / year_over_year_jump: "income other than public support and membership
    # fees": groups 3 sales and lotteries, 4 cash collections, 5 contributions, 6 other income and
    # 8 related entities (membership fees are not public money, but they are left out of this measure
    # because they say nothing about donors; the flag texts name the measure so).
    raised_income_groups: tuple[int, ...] = (3, 4, 5, 6, 8)
    # donor_concentration: one donor entity's share of that income.
    concentration_share: float = 0.5
    # year_over_year_jump: this year's income (as above) at least this multiple of last year's ...
    jump_ratio: float = 5.0
    # ... and at least this many pbb (of the later year) higher.
    jump_min_pbb: float = 1.0
    # source_disagreement: "high" when the summed absolute difference exceeds this many pbb.
    source_disagreement_high_pbb: float = 0.5
    # Election years and what was elected (see ELECTIONS above).
    election_years: dict[int, tuple[str, ...]] = field(default_factory=lambda: dict(ELECTIONS))
    # Severity per pattern (see the module docstring).
    severity: dict[str, str] = field(default_factory=lambda: dict(SEVERITY))


CONFIG = DetectorConfig()

# The rule each pattern concerns (shown in the flag's ``legal_basis``): the primary source, by SFS
# number and paragraph where the paragraph is known, or Kammarkollegiet's guidance page by title
# and address. Lag (2018:90) om insyn i finansiering av partier: https://rkrattsbaser.gov.se/sfst?bet=2018:90
KAMMARKOLLEGIET = "https://www.kammarkollegiet.se/vara-tjanster/insyn-i-partiers-finansiering/"
_SHOULD_REPORT = (
    'Kammarkollegiet, "Parti och sidoorganisation - ska du intäktsredovisa?", '
    f"{KAMMARKOLLEGIET}ska-du-intaktsredovisa-for-din-politiska-verksamhet/parti-och-sidoorganisation---ska-du-intaktsredovisa"
)
_ANONYMOUS = (
    'Kammarkollegiet, "Gränsvärde för anonyma bidrag", '
    f"{KAMMARKOLLEGIET}betala-tillbaka-anonymt-bidrag/gransvarde-for-anonyma-bidrag; "
    '"Hur gör jag om jag får ett anonymt bidrag?", '
    f"{KAMMARKOLLEGIET}betala-tillbaka-anonymt-bidrag/hur-gor-jag-om-jag-far-ett-anonymt-bidrag"
)
_FEES = f'Kammarkollegiet, "Sanktionsavgifter vid felaktig redovisning" (under {KAMMARKOLLEGIET})'

LEGAL_BASIS: dict[str, str] = {
    "missing_report": (
        "Lag (2018:90) 7 § (reporting years 2014-2017: lag (2014:105)): parties with seats in the Riksdag or the "
        "European Parliament or receiving state party support, and their national side organisations, report every "
        "year; everyone else when income after deductions exceeds 0.5 pbb, a party that stood in an election "
        f"without winning seats for the election year. {_SHOULD_REPORT}; seats: Valmyndigheten (partifinans seats.csv)"
    ),
    "late_report": (
        "Lag (2018:90): the report is due by 1 July the year after the financial year; lag (1930:173) om beräkning "
        f"av lagstadgad tid, 2 §: a last day on a Saturday, Sunday or holiday moves to the next weekday; "
        f"förseningsavgift: {_FEES}"
    ),
    "total_mismatch": f"Lag (2018:90) 11 §: income is reported by type; särskild avgift for an incorrect report: {_FEES}",
    "anonymous_over_limit": (
        "Lag (2018:90): anonymous contributions over 0.05 pbb are forbidden (from reporting year 2018; lag (2014:105) "
        "had no direct ban); the part above 0.05 pbb goes back to the giver or to Kammarkollegiet within three "
        "months of year end, and only if that was not done is a särskild avgift of twice that part charged. "
        f"{_ANONYMOUS}"
    ),
    "anonymous_near_limit": (
        f"Lag (2018:90): anonymous contributions over 0.05 pbb are forbidden (lead: the rule at stake). {_ANONYMOUS}"
    ),
    "missing_donor_identity": (
        "Lag (2018:90) 2 §, 11 §: contributions over 0.5 pbb are reported with the donor's name and "
        f"personnummer, organisationsnummer or address; särskild avgift for an incorrect report: {_FEES}"
    ),
    "invalid_identifier": "Lag (2018:90) 2 §: donor identity is a name and a personnummer, organisationsnummer or address",
    "split_across_entities": (
        "Lag (2018:90) 11 §: each reporting association names its own donors over 0.5 pbb (lead: one donor's "
        "gifts to several associations of one party are shown in full only side by side)"
    ),
    "intermediary_donor": (
        "Lag (2018:90) 2 §, 11 §: contributions over 0.5 pbb are reported with the identity of the donor who gave "
        "them; the law does not ask who funds that donor (lead: money passed on through a person, company, "
        "foundation or association is reported under the name of whoever passed it on)"
    ),
    "related_entity_income": (
        "Lag (2018:90) 11 §: income of a company, association or foundation under the party's "
        "controlling influence is reported (group 8)"
    ),
    "lottery_surge": "Lag (2018:90) 2 §: lottery income is not a contribution, so ticket buyers are not named (lead)",
    "donor_concentration": "Lag (2018:90) 11 §: donors over 0.5 pbb are named (context: dependence on one donor)",
    "year_over_year_jump": "Lag (2018:90) 11 §: income is reported by type (context: sudden change)",
    "source_disagreement": "Kammarkollegiet publishes the submitted reports as open data; both copies should agree",
}

REPORTER_NUMBER_BASIS = (
    "Lag (1974:174) om identitetsbeteckning för juridiska personer m.fl.: an organisationsnummer ends in a check "
    "digit; the reporting association is identified by it in Kammarkollegiet's register and open data, and a "
    "report with a wrong number is incorrect (särskild avgift under lag (2018:90))"
)
"""``legal_basis`` of an ``invalid_identifier`` flag about the reporter's own organisationsnummer."""
