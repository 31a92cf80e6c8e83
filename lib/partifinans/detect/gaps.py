"""Gaps and errors in the reports themselves.

- ``missing_report``: an organisation with a report the year before and the year after, or one that
  must report every year (a party or side organisation at national level), has none for a year.
- ``late_report``: submitted after the deadline (1 July of the following year, ``law.deadline``).
- ``total_mismatch``: the printed total differs from the sum of the income lines by more than 1 kr.
- ``invalid_identifier``: an organisationsnummer or personnummer that fails its check digit.
- ``missing_donor_identity``: an itemised contribution over 0.5 pbb without organisationsnummer,
  personnummer or address.
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

_ROLE_WORDS = {"parti": "a party", "sidoorganisation": "a side organisation"}


def _its(report: dict) -> str:
    """Possessive for the reporter: members and substitutes are people."""
    return "their" if report.get("role") in ("ledamot", "ersattare") else "its"


def missing_report(data: Data) -> list[dict]:
    """Years without a report, within the years the whole dataset covers.

    A year counts as covered by an organisation when any report (PDF or open data, report or
    anmälan) exists for it. Organisations that must report every year are checked for every year
    from the later of the dataset's first year and the year the duty began for them
    (``config.must_report_from``); the others only for a year between two reported years.
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
    must_from = {
        key: cfg.must_report_from.get((value(role), value(level)))
        for key, role, level in zip(latest_rows["org_key"], latest_rows["role"], latest_rows["level"], strict=True)
    }
    missing: list[tuple[str, int, bool]] = []
    for key, years in present.items():
        have = set(years)
        gaps = {y + 1 for y in years if y + 1 not in have and y + 2 in have}
        start = must_from.get(key)
        must = {y for y in range(max(data.first_year, start), data.last_year + 1) if y not in have} if start else set()
        missing += [(key, y, y in must) for y in sorted(gaps | must)]
    if not missing:
        return []
    wanted = {key for key, _, _ in missing}
    rows_by_org: dict[str, list[dict]] = {}
    for r in records(per_year[per_year["org_key"].isin(wanted)]):
        rows_by_org.setdefault(r["org_key"], []).append(r)
    flags = []
    for key, y, must in missing:
        rows = rows_by_org[key]
        latest = rows[-1]
        before = [r for r in rows if int(r["year"]) < y]
        after = [r for r in rows if int(r["year"]) > y]
        neighbours = ([before[-1]] if before else []) + ([after[0]] if after else [])
        org = organisation(latest)
        if must:
            fee = law.late_fee(latest.get("level"), latest.get("role"))
            what = _ROLE_WORDS.get(latest.get("role"), "an organisation")
            text = (
                f"{fmt_org(org)}, {what} at national level that must report every year, has no report "
                f"for {y} in the processed data, which covers {data.first_year}-{data.last_year}"
            )
            if fee is not None:
                text += f"; if it was never filed, the late fee is estimated at {fmt_sek(fee)}"
        else:
            fee = None
            text = (
                f"{fmt_org(org)} reported for {y - 1} and {y + 1} but has no report for {y} in the processed data, "
                f"which is allowed only if its income that year stayed under the reporting threshold "
                f"(0.5 pbb, {fmt_sek(law.threshold(y, 'identity'))})"
            )
        flags.append(
            make_flag(
                "missing_report",
                config=cfg,
                severity="high" if must else None,
                year=y,
                party=latest.get("party"),
                organisations=[org],
                explanation=text + ".",
                evidence=[report_evidence(r) for r in neighbours],
                estimated_fee=fee,
            )
        )
    return flags


def late_report(data: Data) -> list[dict]:
    """Reports submitted after 1 July of the year after the financial year."""
    flags = []
    for r in records(data.reports[data.reports["submitted"].notna()]):
        iso = parse_date(r["submitted"])
        if iso is None:
            continue
        submitted = dt.date.fromisoformat(iso)
        deadline = law.deadline(int(r["year"]))
        if submitted <= deadline:
            continue
        days = (submitted - deadline).days
        fee = law.late_fee(r.get("level"), r.get("role"))
        text = (
            f"{fmt_org(organisation(r))} submitted {_its(r)} {r['year']} report on {iso}, {days} "
            f"day{'s' if days != 1 else ''} after the deadline of {deadline.isoformat()}"
        )
        if fee is not None:
            text += f"; the late fee is estimated at {fmt_sek(fee)}"
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
        fee = law.incorrect_fee(r.get("level"), r.get("role"))
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
        flags.append(
            make_flag(
                "invalid_identifier",
                config=cfg,
                year=r["year"],
                party=r.get("party"),
                organisations=[organisation(r)],
                explanation=(
                    f"The organisationsnummer {r['org_number']} printed for {r['reporter_name'] or 'the reporter'} "
                    f"in its {r['year']} report fails its check digit{opendata_row_note(r)}."
                ),
                evidence=[report_evidence(r)],
            )
        )
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

    Open-data reports are skipped: the published file leaves out private donors' identities and
    every donor's address by design, so their absence there is not a gap in the report. Anonymous
    gifts are left to ``anonymous_over_limit``. One flag per report (one särskild avgift).
    """
    cfg = data.config
    c = data.contributions
    c = c[c["group"].isin([5, 8]) & (c["donor_kind"] != "anonymous") & (c["source_kind"] != "opendata")]
    c = c[c["donor_id"].fillna("").str.strip().eq("") & c["address"].fillna("").str.strip().eq("")]
    flags = []
    for _report_id, group in c.groupby("report_id", sort=True):
        rows = [r for r in records(group) if r["amount"] > law.threshold(int(r["year"]), "identity")]
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
        fee = law.incorrect_fee(first.get("level"), first.get("role"))
        text = (
            f"The {year} report of {fmt_org(organisation(first))} lists {what} without an organisationsnummer, "
            f"personnummer or address, which the law requires above 0.5 pbb ({fmt_sek(limit)})"
        )
        if fee is not None:
            text += f"; the särskild avgift is estimated at {fmt_sek(fee)}"
        flags.append(
            make_flag(
                "missing_donor_identity",
                config=cfg,
                year=year,
                party=first.get("party"),
                organisations=[organisation(first)],
                donors=[donor(r) for r in rows],
                amount=total,
                explanation=text + ".",
                evidence=[evidence(r, r.get("page")) for r in rows],
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
