"""Patterns of circumvention and context flags: leads, not findings of a breach.

The methods looked for are those representatives of five Riksdag parties suggested to a donor in
TV4 Kalla Fakta, "Partiernas hemliga pengar" (August 2022): straw donors and intermediaries,
spreading gifts under thresholds or over several associations, family members each giving a part,
lottery tickets, and foundations outside the party. A pattern's explanation says what the data
shows and why it is worth a look; only ``anonymous_over_limit`` concerns a rule that is broken
when the facts hold (and then only if the excess was not returned in time).

- ``anonymous_over_limit``: an anonymous contribution above 0.05 pbb (forbidden from reporting year
  2018; lag (2014:105) had no direct ban, so 2014-2017 are not checked).
- ``anonymous_near_limit``: at least 3 anonymous contributions in one report within 10 % below
  the 0.05 pbb limit (2018 on).
- ``split_across_entities``: one donor gives to at least 3 organisations of one party in a year.
- ``intermediary_donor``: a foundation or association outside the party gives over 0.5 pbb (low),
  or several donors sharing an address give to one party in one year (medium).
- ``related_entity_income``: income reported under group 8 (related entities).
- ``lottery_surge``: election-year lottery income at least 3 times the organisation's median.
- ``donor_concentration``: one donor gives at least half of an organisation's income other than
  public support and membership fees.
- ``year_over_year_jump``: that income at least 5 times the previous year's and 1 pbb higher;
  comparisons with reporting year 2018, which covered 1 April-31 December only, are left out.

Parameters: ``detect/config.py``. Legal amounts: ``law.py``.
"""

from __future__ import annotations

import statistics

import pandas as pd

from .. import identifiers, law
from .base import (
    Data,
    donor,
    evidence,
    flag_from_rows,
    fmt_org,
    fmt_sek,
    make_flag,
    opendata_row_note,
    organisation,
    organisations,
    records,
    report_evidence,
)


def _anonymous(data: Data) -> pd.DataFrame:
    """Anonymous contributions (group 5: the ban concerns contributions, not cash collections)."""
    c = data.contributions
    return c[c["is_anonymous"].astype(bool) & (c["group"] == 5)]


def _anonymous_ban_in_force(year) -> bool:
    return law.in_force("anonymous_limit_fraction", int(year))


def anonymous_over_limit(data: Data) -> list[dict]:
    flags = []
    for r in records(_anonymous(data)):
        year = int(r["year"])
        if not _anonymous_ban_in_force(year):
            continue
        limit = law.threshold(year, "anonymous")
        if r["amount"] <= limit:
            continue
        fee = law.anonymous_fee(r["amount"], year)
        excess = r["amount"] - limit
        flags.append(
            make_flag(
                "anonymous_over_limit",
                config=data.config,
                year=year,
                party=r.get("party"),
                organisations=[organisation(r)],
                amount=r["amount"],
                explanation=(
                    f"The {year} report of {fmt_org(organisation(r))} lists an anonymous contribution of "
                    f"{fmt_sek(r['amount'])}, above the {fmt_sek(limit)} (0.05 pbb) limit on anonymous gifts"
                    f"{opendata_row_note(r)}. The organisation may keep {fmt_sek(limit)}; the excess of "
                    f"{fmt_sek(excess)} had to go back to the giver or, when that is not possible, to Kammarkollegiet "
                    f"by {law.anonymous_return_deadline(year).isoformat()}. If that was not done, the fee is twice "
                    f"the excess: an estimate of {fmt_sek(fee)} under that condition."
                ),
                evidence=[evidence(r, r.get("page"))],
                estimated_fee=fee,
            )
        )
    return flags


def anonymous_near_limit(data: Data) -> list[dict]:
    cfg = data.config
    flags = []
    anonymous = _anonymous(data)
    anonymous = anonymous[[_anonymous_ban_in_force(y) for y in anonymous["year"]]]
    if anonymous.empty:
        return flags
    # Vectorised first pass: only reports with enough gifts in the band are looked at row by row.
    limits = anonymous["year"].map({y: law.threshold(int(y), "anonymous") for y in anonymous["year"].unique()})
    in_band = anonymous["amount"].between(limits * (1 - cfg.near_limit_band), limits)
    counts = in_band.groupby(anonymous["report_id"]).sum()
    candidates = counts.index[counts >= cfg.near_limit_min_count]
    anonymous = anonymous[anonymous["report_id"].isin(candidates)]
    for _, group in anonymous.groupby("report_id", sort=True):
        rows = records(group)
        year = int(rows[0]["year"])
        limit = law.threshold(year, "anonymous")
        near = [r for r in rows if limit * (1 - cfg.near_limit_band) <= r["amount"] <= limit]
        if len(near) < cfg.near_limit_min_count:
            continue
        total = sum(r["amount"] for r in near)
        flags.append(
            flag_from_rows(
                "anonymous_near_limit",
                near,
                config=cfg,
                year=year,
                party=rows[0].get("party"),
                with_donors=False,
                explanation=(
                    f"The {year} report of {fmt_org(organisation(rows[0]))} lists {len(near)} anonymous contributions "
                    f"between {fmt_sek(limit * (1 - cfg.near_limit_band))} and the {fmt_sek(limit)} limit, "
                    f"{fmt_sek(total)} in all. Each is lawful; several together are worth a look, because cutting "
                    f"a larger gift into pieces small enough to stay anonymous is one way around the limit."
                ),
            )
        )
    return flags


def _donor_name(rows: list[dict], data: Data | None = None) -> str:
    """The donor's name: the linked entity's canonical name when there is one, else as printed."""
    if data is not None:
        for r in rows:
            name = data.entity_names.get(r.get("entity_id"))
            if name:
                return name
    for r in rows:
        if r.get("donor"):
            return r["donor"]
    return "An unnamed donor"


def split_across_entities(data: Data) -> list[dict]:
    cfg = data.config
    c = data.external_contributions()
    c = c[c["party"].notna()]
    n_orgs = c.groupby(["party", "year", "donor_key"])["org_key"].transform("nunique")
    c = c[n_orgs >= cfg.split_min_organisations]
    flags = []
    for (party, year, _key), group in c.groupby(["party", "year", "donor_key"], sort=True):
        rows = records(group.sort_values(["reporter_name", "amount"]))
        orgs = organisations(rows)
        total = sum(r["amount"] for r in rows)
        flags.append(
            flag_from_rows(
                "split_across_entities",
                rows,
                config=cfg,
                year=year,
                party=party,
                explanation=(
                    f"{_donor_name(rows, data)} gave {fmt_sek(total)} in {year} to {len(orgs)} different organisations "
                    f"of {party} ({', '.join(o['name'] or '?' for o in orgs)}). Each report shows only its own "
                    f"part, so the whole amount appears only when they are put side by side; spreading gifts over "
                    f"a party's associations is one way to keep each below a threshold, which makes it worth a look."
                ),
            )
        )
    return flags


def intermediary_donor(data: Data) -> list[dict]:
    cfg = data.config
    c = data.external_contributions()
    flags = []
    # (a) A foundation or association (organisationsnummer 7... or 8...) outside the party.
    is_assoc = pd.Series(
        [identifiers.is_foundation_or_association(d) if isinstance(d, str) else False for d in c["donor_id"]],
        index=c.index, dtype=bool,
    )
    assoc = c[is_assoc]
    given = assoc.groupby(["donor_key", "year", "party"], dropna=False)["amount"].transform("sum")
    limits = assoc["year"].map(lambda y: law.threshold(int(y), "identity"))
    assoc = assoc[given > limits]
    for (_key, year), group in assoc.groupby(["donor_key", "year"], sort=True):
        for party, pgroup in group.groupby("party", sort=True, dropna=False):
            rows = records(pgroup)
            total = sum(r["amount"] for r in rows)
            limit = law.threshold(int(year), "identity")
            if total <= limit:
                continue
            kind = identifiers.legal_form_group(rows[0]["donor_id"])
            orgs = organisations(rows)
            flags.append(
                flag_from_rows(
                    "intermediary_donor",
                    rows,
                    config=cfg,
                    severity="low",
                    year=year,
                    party=party if not pd.isna(party) else None,
                    explanation=(
                        f"{_donor_name(rows, data)} ({rows[0]['donor_id']}, {kind}), which is not one of the party's own "
                        f"organisations, gave {fmt_sek(total)} to {', '.join(fmt_org(o) for o in orgs)} in {year}, "
                        f"more than 0.5 pbb ({fmt_sek(limit)}). The report names this donor, as the law asks; who "
                        f"funds a foundation or association is not reported anywhere, and giving through one is a "
                        f"way to stay unnamed, so its own funding and its ties to the party are worth a look."
                    ),
                )
            )
    # (b) Several donors at one address giving to the same party in one year.
    c = c[c["address_key"].notna() & c["party"].notna()]
    n_donors = c.groupby(["party", "year", "address_key"])["donor_key"].transform("nunique")
    c = c[n_donors >= cfg.shared_address_min_donors]
    for (party, year, _addr), group in c.groupby(["party", "year", "address_key"], sort=True):
        rows = records(group.sort_values(["donor", "amount"]))
        total = sum(r["amount"] for r in rows)
        orgs = organisations(rows)
        n = group["donor_key"].nunique()
        flags.append(
            flag_from_rows(
                "intermediary_donor",
                rows,
                config=cfg,
                year=year,
                party=party,
                explanation=(
                    f"{n} donors registered at one address gave {fmt_sek(total)} to {party} "
                    f"({', '.join(o['name'] or '?' for o in orgs)}) in {year}. Family members or companies at one "
                    f"address can give for good reasons of their own; each giving a part is also a way for one "
                    f"donor to stay below a threshold, which makes it worth a look."
                ),
            )
        )
    return flags


def related_entity_income(data: Data) -> list[dict]:
    lines = data.lines[data.lines["is_related_entity"].astype(bool) & (data.lines["amount"] > 0)]
    contributions = data.contributions[data.contributions["is_related_entity"].astype(bool)]
    donors_by_report: dict[str, list[dict]] = {}
    for x in records(contributions):
        donors_by_report.setdefault(x["report_id"], []).append(donor(x))
    lines_by_report: dict[str, list[dict]] = {}
    for x in records(lines):
        lines_by_report.setdefault(x["report_id"], []).append(x)
    flags = []
    for report_id, rows in sorted(lines_by_report.items()):
        r = rows[0]
        total = sum(x["amount"] for x in rows)
        donors = donors_by_report.get(report_id, [])
        flags.append(
            make_flag(
                "related_entity_income",
                config=data.config,
                year=r["year"],
                party=r.get("party"),
                organisations=[organisation(r)],
                donors=[d for d in donors if d["name"] or d["donor_id"]],
                amount=total,
                explanation=(
                    f"{fmt_org(organisation(r))} reported {fmt_sek(total)} for {r['year']} received by a company, "
                    f"association or foundation under its controlling influence (group 8){opendata_row_note(r)}."
                ),
                evidence=[evidence(x, x.get("page")) for x in rows],
            )
        )
    return flags


def _income_by_org_year(data: Data, mask: pd.Series) -> pd.DataFrame:
    """Sum of the selected lines per organisation and year, 0 for a reported year without such lines."""
    reports = data.reports[["report_id", "org_key", "year"]]
    sums = data.lines[mask].groupby("report_id")["amount"].sum()
    out = reports.assign(amount=reports["report_id"].map(sums).fillna(0.0).astype(float))
    return out.groupby(["org_key", "year"], as_index=False)["amount"].sum()


def _latest_report(data: Data, key: str, year: int) -> dict:
    r = data.reports[(data.reports["org_key"] == key) & (data.reports["year"] == year)]
    return records(r)[0]


def lottery_surge(data: Data) -> list[dict]:
    cfg = data.config
    lottery = data.lines["is_lottery"].astype(bool)
    income = _income_by_org_year(data, lottery)
    flags = []
    for key, group in income.groupby("org_key", sort=True):
        by_year = {int(y): float(a) for y, a in zip(group["year"], group["amount"], strict=True)}
        for year, amount in sorted(by_year.items()):
            if year not in cfg.election_years or amount <= cfg.lottery_min_pbb * law.pbb(year):
                continue
            others = [a for y, a in by_year.items() if y != year]
            if len(others) < cfg.lottery_min_other_years:
                continue
            median = statistics.median(others)
            if amount < cfg.lottery_ratio * median:
                continue
            r = _latest_report(data, key, year)
            line_rows = records(data.lines[lottery & (data.lines["report_id"] == r["report_id"])])
            times = f"{amount / median:.1f} times" if median > 0 else "far above"
            other_years = sorted(y for y in by_year if y != year)
            flags.append(
                make_flag(
                    "lottery_surge",
                    config=cfg,
                    year=year,
                    party=r.get("party"),
                    organisations=[organisation(r)],
                    amount=amount,
                    explanation=(
                        f"{fmt_org(organisation(r))} had {fmt_sek(amount)} of lottery income in {year}, an election "
                        f"year ({', '.join(cfg.election_years[year])}), {times} its median of {fmt_sek(median)} in "
                        f"its other years ({other_years[0]}-{other_years[-1]}). Lottery income is not a contribution, "
                        f"so buyers are not named: buying many tickets is one way to give without being named, which "
                        f"makes the rise worth a look."
                    ),
                    evidence=[evidence(x, x.get("page")) for x in line_rows] or [report_evidence(r)],
                )
            )
    return flags


def donor_concentration(data: Data) -> list[dict]:
    cfg = data.config
    raised = data.lines[data.lines["group"].isin(list(cfg.raised_income_groups))]
    income = raised.groupby("report_id")["amount"].sum()
    c = data.external_contributions()
    given_all = c.groupby(["report_id", "donor_key"])["amount"].transform("sum")
    income_all = c["report_id"].map(income).fillna(0.0).astype(float)
    c = c[(income_all > 0) & (given_all >= cfg.concentration_share * income_all)]
    flags = []
    for (report_id, _key), group in c.groupby(["report_id", "donor_key"], sort=True):
        total_income = float(income.get(report_id, 0.0))
        rows = records(group)
        given = sum(r["amount"] for r in rows)
        r = rows[0]
        flags.append(
            flag_from_rows(
                "donor_concentration",
                rows,
                config=cfg,
                year=r["year"],
                party=r.get("party"),
                explanation=(
                    f"{_donor_name(rows, data)} gave {fmt_sek(given)}, {given / total_income:.0%} of the income "
                    f"other than public support and membership fees of {fmt_org(organisation(r))} "
                    f"({fmt_sek(total_income)}) in {r['year']}: the organisation depends on one donor."
                ),
            )
        )
    return flags


def _part_year(year: int) -> bool:
    """A reporting year shorter than twelve months (2018: 1 April-31 December under lag (2018:90))."""
    return law.in_force("period_2018_first_month", int(year))


def year_over_year_jump(data: Data) -> list[dict]:
    cfg = data.config
    income = _income_by_org_year(data, data.lines["group"].isin(list(cfg.raised_income_groups)))
    flags = []
    for key, group in income.groupby("org_key", sort=True):
        by_year = {int(y): float(a) for y, a in zip(group["year"], group["amount"], strict=True)}
        for year, amount in sorted(by_year.items()):
            if year - 1 not in by_year or _part_year(year) or _part_year(year - 1):
                continue  # reporting year 2018 covered 1 April-31 December only: not compared
            prev = by_year[year - 1]
            if amount < cfg.jump_ratio * prev or amount - prev < cfg.jump_min_pbb * law.pbb(year):
                continue
            r = _latest_report(data, key, year)
            p = _latest_report(data, key, year - 1)
            times = f"{amount / prev:.1f} times as much" if prev > 0 else "up from nothing"
            flags.append(
                make_flag(
                    "year_over_year_jump",
                    config=cfg,
                    year=year,
                    party=r.get("party"),
                    organisations=[organisation(r)],
                    amount=amount,
                    explanation=(
                        f"The income other than public support and membership fees (sales, lotteries, collections, "
                        f"contributions, other and related entities) of {fmt_org(organisation(r))} rose from "
                        f"{fmt_sek(prev)} in {year - 1} to {fmt_sek(amount)} in {year}, {times}: worth asking where "
                        f"the new money came from."
                    ),
                    evidence=[report_evidence(p), report_evidence(r)],
                )
            )
    return flags
