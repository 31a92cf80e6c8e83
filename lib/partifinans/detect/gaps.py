"""Gaps and errors in the reports themselves.

- ``missing_report``: an organisation that must report every year (``law.reporting_duty``: a national
  party whose party held seats in the Riksdag or the European Parliament, and from 2018 its national
  side organisations) has no report for a year; or another organisation has none for a year between
  two reported years although a neighbouring year shows income above the 0.5 pbb threshold.
- ``late_report``: submitted after the deadline (1 July of the following year, or the next weekday:
  ``law.deadline``).
- ``total_mismatch``: the printed total differs from the sum of the income lines by more than 1 kr.
- ``invalid_identifier``: an organisationsnummer or personnummer that fails its check digit.
- ``missing_donor_identity``: an itemised contribution over 0.5 pbb without organisationsnummer,
  personnummer or address (in the open data: an organisation donor without organisationsnummer, a
  low lead to check the full report).
- ``source_disagreement``: the PDF report and the open-data file disagree for one
  organisation-year (the ``disagreements`` table from ``sources.reconcile``).

Each function takes a :class:`~partifinans.detect.base.Data` and returns a list of flags.
"""

from __future__ import annotations

import datetime as dt

from .. import law
from ..values import parse_date
from .base import (
    Data,
    donor,
    evidence,
    flag_from_rows,
    fmt_org,
    fmt_sek,
    is_personnummer_text,
    make_flag,
    opendata_row_note,
    organisation,
    records,
    report_evidence,
    value,
)
from .config import REPORTER_NUMBER_BASIS


def _its(report: dict) -> str:
    """Possessive for the reporter: members and substitutes are people."""
    return "their" if report.get("role") in ("ledamot", "ersattare") else "its"


def _countable_income(data: Data) -> dict[str, float]:
    """Per report: income that counts towards the 0.5 pbb reporting threshold.

    All income less public support (group 1), membership fees (group 2, deducted in full: the
    deduction is capped at 0.01 pbb per member, and reports do not give the number of members) and
    internal contributions from the party's own associations (5.5). Kammarkollegiet, "Parti och
    sidoorganisation - ska du intäktsredovisa?".
    """
    lines = data.all_lines
    counts = lines[~lines["group"].isin([1, 2]) & (lines["code"].fillna("") != "5.5")]
    return {k: float(v) for k, v in counts.groupby("report_id")["amount"].sum().items()}


def missing_report(data: Data) -> list[dict]:
    """Years without a report, within the years the whole dataset covers.

    A year counts as covered by an organisation when any report (PDF or open data, report or
    anmälan) exists for it. Who had to report follows ``law.reporting_duty``:

    - an organisation that must report every year (a national party whose party held seats in the
      Riksdag or the European Parliament, and from 2018 its national side organisations) is checked
      for every year the data covers: high, with the late fee as an estimate if it was never filed;
    - any other organisation had to report only when its income after deductions exceeded 0.5 pbb:
      a year between two reported years is flagged (low) only when a neighbouring year's report
      shows such income above 0.5 pbb, so that a report for the year was likely due;
    - local, regional and side organisations before 2018 had no duty (lag 2014:105): never a gap.
    """
    cfg = data.config
    if data.first_year is None:
        return []
    reports = data.all_reports.sort_values(["org_key", "year", "is_primary"])
    # One row per organisation-year (the primary one when there are two), and the latest per organisation.
    per_year = reports.drop_duplicates(["org_key", "year"], keep="last")
    latest_rows = per_year.drop_duplicates("org_key", keep="last")
    present: dict[str, list[int]] = {}
    for key, year in zip(per_year["org_key"], per_year["year"], strict=True):
        present.setdefault(key, []).append(int(year))
    who = {
        key: (value(party), value(role), value(level))
        for key, party, role, level in zip(
            latest_rows["org_key"], latest_rows["party"], latest_rows["role"], latest_rows["level"], strict=True
        )
    }
    missing: list[tuple[str, int, str, str]] = []
    for key, years in present.items():
        have = set(years)
        candidates = {y + 1 for y in years if y + 1 not in have and y + 2 in have}
        candidates |= {y for y in range(data.first_year, data.last_year + 1) if y not in have}
        for y in sorted(candidates):
            kind, why = law.reporting_duty(*who[key], y)
            if kind == "every_year" or (kind == "threshold" and y - 1 in have and y + 1 in have):
                missing.append((key, y, kind, why))
    if not missing:
        return []
    wanted = {key for key, _, _, _ in missing}
    rows_by_org: dict[str, list[dict]] = {}
    for r in records(per_year[per_year["org_key"].isin(wanted)]):
        rows_by_org.setdefault(r["org_key"], []).append(r)
    countable = _countable_income(data)
    flags = []
    for key, y, kind, why in missing:
        rows = rows_by_org[key]
        latest = rows[-1]
        before = [r for r in rows if int(r["year"]) < y]
        after = [r for r in rows if int(r["year"]) > y]
        neighbours = ([before[-1]] if before else []) + ([after[0]] if after else [])
        org = organisation(latest)
        fee = None
        if kind == "every_year":
            fee = law.late_fee(latest.get("level"), latest.get("role"), y)
            text = (
                f"{fmt_org(org)} has no report for {y} in the processed data, which covers "
                f"{data.first_year}-{data.last_year}; it is {why}"
            )
            if fee is not None:
                text += f"; if the report was never filed, the late fee is estimated at {fmt_sek(fee)}"
            elif y < 2018:
                text += "; the fees of lag (2014:105) are not estimated here"
        else:
            limit = law.threshold(y, "identity")
            over = [
                (int(r["year"]), countable.get(r["report_id"], 0.0)) for r in neighbours
                if countable.get(r["report_id"], 0.0) > law.threshold(int(r["year"]), "identity")
            ]
            if not over:
                continue  # both neighbours stayed under the threshold: nothing suggests a report was due
            shown = " and ".join(f"{fmt_sek(a)} in {yr}" for yr, a in over)
            text = (
                f"{fmt_org(org)} reported for {y - 1} and {y + 1} but has no report for {y} in the processed data. "
                f"It is not obliged to report every year: {why} ({fmt_sek(limit)} for {y}; deducted are public "
                f"support, membership fees and contributions from the party's own associations). Its reports show "
                f"such income of {shown} (membership fees deducted in full), so a report for {y} may have been due"
            )
            if latest.get("role") == "parti" and y in cfg.election_years:
                text += (f"; {y} was an election year ({', '.join(cfg.election_years[y])}), and a party that stood "
                         f"reports for it on the same condition")
        flags.append(
            make_flag(
                "missing_report",
                config=cfg,
                severity="high" if kind == "every_year" else None,
                year=y,
                party=latest.get("party"),
                organisations=[org],
                explanation=text + ".",
                evidence=[report_evidence(r) for r in neighbours],
                estimated_fee=fee,
            )
        )
    return flags


def _weekday_name(day: dt.date) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day.weekday()]


def late_report(data: Data) -> list[dict]:
    """Reports submitted after the deadline: 1 July of the year after the financial year, or the
    next weekday when 1 July is a Saturday, Sunday or holiday (``law.deadline``, lag (1930:173) 2 §)."""
    flags = []
    for r in records(data.reports[data.reports["submitted"].notna()]):
        iso = parse_date(r["submitted"])
        if iso is None:
            continue
        submitted = dt.date.fromisoformat(iso)
        year = int(r["year"])
        deadline = law.deadline(year)
        if submitted <= deadline:
            continue
        days = (submitted - deadline).days
        fee = law.late_fee(r.get("level"), r.get("role"), year)
        nominal = law.nominal_deadline(year)
        moved = (
            f" (1 July {nominal.year} was a {_weekday_name(nominal)}; the deadline moves to the next weekday "
            f"under lag (1930:173) 2 §)" if deadline != nominal else ""
        )
        text = (
            f"{fmt_org(organisation(r))} submitted {_its(r)} {r['year']} report on {iso}, {days} "
            f"day{'s' if days != 1 else ''} after the deadline of {deadline.isoformat()}{moved}"
        )
        if fee is not None:
            text += f"; the late fee is estimated at {fmt_sek(fee)}"
        elif year < 2018:
            text += "; the fees of lag (2014:105) are not estimated here"
        flags.append(
            make_flag(
                "late_report",
                config=data.config,
                year=r["year"],
                party=r.get("party"),
                organisations=[organisation(r)],
                explanation=text + opendata_row_note(r) + ".",
                evidence=[report_evidence(r)],
                estimated_fee=fee,
            )
        )
    return flags


def total_mismatch(data: Data) -> list[dict]:
    """Printed totals that differ from the sum of the report's income lines by more than the tolerance."""
    cfg = data.config
    lines = data.lines
    if lines.empty:
        return []
    sums = lines.groupby("report_id")["amount"].sum()
    reports = data.reports[data.reports["total"].notna() & data.reports["report_id"].isin(sums.index)]
    diffs = reports["total"].astype(float) - reports["report_id"].map(sums).astype(float)
    reports = reports[diffs.abs() > cfg.total_tolerance_sek]
    flagged_lines = lines[lines["report_id"].isin(reports["report_id"])]
    pages = {
        rid: sorted({int(p) for p in group["page"].dropna()}) for rid, group in flagged_lines.groupby("report_id")
    }
    flags = []
    for r in records(reports):
        lines_sum = float(sums[r["report_id"]])
        diff = float(r["total"]) - lines_sum
        fee = law.incorrect_fee(r.get("level"), r.get("role"), int(r["year"]))
        text = (
            f"The {r['year']} report of {fmt_org(organisation(r))} prints a total of {fmt_sek(r['total'])} "
            f"but its income lines add up to {fmt_sek(lines_sum)}, a difference of {fmt_sek(abs(diff))}"
        )
        if fee is not None:
            text += f"; if the report is incorrect, the särskild avgift is estimated at {fmt_sek(fee)}"
        line_pages = pages.get(r["report_id"], [])
        flags.append(
            make_flag(
                "total_mismatch",
                config=cfg,
                year=r["year"],
                party=r.get("party"),
                organisations=[organisation(r)],
                amount=abs(diff),
                explanation=text + opendata_row_note(r) + ".",
                evidence=[report_evidence(r)] + [evidence(r, p) for p in line_pages],
                estimated_fee=fee,
            )
        )
    return flags


def invalid_identifier(data: Data) -> list[dict]:
    """Reporter organisationsnummer and donor identity numbers that fail their check digit."""
    cfg = data.config
    flags = []
    bad_reports = data.reports[data.reports["is_org_number_valid"].eq(False).fillna(False)]
    for r in records(bad_reports):
        flag = make_flag(
            "invalid_identifier",
            config=cfg,
            year=r["year"],
            party=r.get("party"),
            organisations=[organisation(r)],
            explanation=(
                f"The organisationsnummer {r['org_number']} printed for {r['reporter_name'] or 'the reporter'} "
                f"in its {r['year']} report fails its check digit{opendata_row_note(r)}, so it cannot be the "
                f"number of the reporting association: a typing or reading error, or the wrong number in the report."
            ),
            evidence=[report_evidence(r)],
        )
        flag["legal_basis"] = REPORTER_NUMBER_BASIS  # the reporter's own number, not the donor-identity rule
        flags.append(flag)
    c = data.contributions
    for r in records(c[c["is_donor_id_valid"].eq(False).fillna(False)]):
        d = donor(r)
        if is_personnummer_text(r.get("donor_id")):
            number = "personnummer"  # never printed, not even when it is wrong
        else:
            number = f"organisationsnummer {r['donor_id']}" if r.get("donor_id") else "identity number"
        flags.append(
            make_flag(
                "invalid_identifier",
                config=cfg,
                year=r["year"],
                party=r.get("party"),
                organisations=[organisation(r)],
                donors=[d],
                amount=r["amount"],
                explanation=(
                    f"The {number} given for the donor {d['name'] or '(unnamed)'} of {fmt_sek(r['amount'])} "
                    f"in the {r['year']} report of {fmt_org(organisation(r))} fails its check digit"
                    f"{opendata_row_note(r)}."
                ),
                evidence=[evidence(r, r.get("page"))],
            )
        )
    return flags


def missing_donor_identity(data: Data) -> list[dict]:
    """Named-type contributions over 0.5 pbb with neither identity number nor address.

    PDF reports: one flag per report (one särskild avgift). Open-data reports leave out private
    donors' identities and every donor's address by design, so a missing identity there is no gap;
    but the file publishes organisations' numbers, so an organisation donor over 0.5 pbb without an
    organisationsnummer in the open data is a lead (low): the full report may give the address
    instead, which the law allows. Anonymous gifts are left to ``anonymous_over_limit``.
    """
    cfg = data.config
    c = data.contributions
    c = c[c["group"].isin([5, 8]) & (c["donor_kind"] != "anonymous")]
    c = c[c["donor_id"].fillna("").str.strip().eq("") & c["address"].fillna("").str.strip().eq("")]
    flags = []
    for _report_id, group in c.groupby("report_id", sort=True):
        rows = [r for r in records(group) if r["amount"] > law.threshold(int(r["year"]), "identity")]
        opendata = bool(rows) and rows[0].get("source_kind") == "opendata"
        if opendata:
            rows = [r for r in rows if r.get("donor_kind") == "organisation"]
        if not rows:
            continue
        first = rows[0]
        year = int(first["year"])
        limit = law.threshold(year, "identity")
        total = sum(r["amount"] for r in rows)
        names = ", ".join(r["donor"] or "an unnamed donor" for r in rows)
        what = (
            f"a contribution of {fmt_sek(total)} from {names}"
            if len(rows) == 1
            else f"{len(rows)} contributions totalling {fmt_sek(total)} (from {names})"
        )
        if opendata:
            fee = None
            rows_note = ", ".join(str(r["row"]) for r in rows if r.get("row") is not None)
            text = (
                f"In the open data, the {year} report of {fmt_org(organisation(first))} lists {what} from an "
                f"organisation without an organisationsnummer (open-data row {rows_note}). The file publishes "
                f"organisations' numbers; above 0.5 pbb ({fmt_sek(limit)}) the law asks for the donor's name and "
                f"organisationsnummer or address, and the file leaves addresses out: check the full report"
            )
            severity = "low"
        else:
            fee = law.incorrect_fee(first.get("level"), first.get("role"), year)
            text = (
                f"The {year} report of {fmt_org(organisation(first))} lists {what} without an organisationsnummer, "
                f"personnummer or address, which the law requires above 0.5 pbb ({fmt_sek(limit)})"
            )
            if fee is not None:
                text += f"; the särskild avgift is estimated at {fmt_sek(fee)}"
            severity = None
        flags.append(
            flag_from_rows(
                "missing_donor_identity",
                rows,
                config=cfg,
                severity=severity,
                year=year,
                party=first.get("party"),
                amount=total,
                explanation=text + ".",
                estimated_fee=fee,
            )
        )
    return flags


def source_disagreement(data: Data) -> list[dict]:
    """A PDF report and the open-data file that disagree on one organisation-year's group totals."""
    cfg = data.config
    d = data.disagreements
    if d.empty:
        return []
    d = d[d["difference"].abs() > cfg.total_tolerance_sek]
    reports = data.all_reports.set_index("report_id")
    lines = data.all_lines
    flags = []
    for (pdf_id, od_id), group in d.groupby(["pdf_report_id", "opendata_report_id"], sort=True):
        rows = records(group.sort_values("group"))
        year = int(rows[0]["year"])
        pdf = {"report_id": pdf_id, **({k: value(v) for k, v in reports.loc[pdf_id].items()} if pdf_id in reports.index else {})}
        od = {"report_id": od_id, **({k: value(v) for k, v in reports.loc[od_id].items()} if od_id in reports.index else {})}
        org = organisation(pdf if pdf.get("reporter_name") else od)
        if not org.get("org_number"):
            org["org_number"] = rows[0]["org_number"]
        groups = [int(r["group"]) for r in rows]
        pdf_lines = lines[(lines["report_id"] == pdf_id) & lines["group"].isin(groups)]
        pages = sorted({int(p) for p in pdf_lines["page"].dropna()})
        total = sum(abs(r["difference"]) for r in rows)
        parts = "; ".join(
            f"group {r['group']} is {fmt_sek(r['pdf_amount'])} in the PDF and {fmt_sek(r['opendata_amount'])} "
            f"in the open data"
            for r in rows
        )
        high = total > cfg.source_disagreement_high_pbb * law.pbb(year)
        flags.append(
            make_flag(
                "source_disagreement",
                config=cfg,
                severity="high" if high else None,
                year=year,
                party=pdf.get("party") or od.get("party"),
                organisations=[org],
                amount=total,
                explanation=(
                    f"For {fmt_org(org)} in {year} the PDF report and the open-data file disagree: {parts}"
                    f"{opendata_row_note({**od, 'source_kind': 'opendata'})}."
                ),
                evidence=[evidence({**pdf, "source_kind": "pdf"}, p) for p in (pages or [1])]
                + [evidence({**od, "source_kind": "opendata"})],
            )
        )
    return flags
