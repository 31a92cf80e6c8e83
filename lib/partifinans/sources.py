"""One organisation-year from two sources: the PDF report and the open-data file.

Both are kept in ``reports`` (``source_kind`` ``pdf`` | ``opendata``). :func:`reconcile` marks one
report per organisation-year as primary (``is_primary``): the PDF when there is one, because only
the PDF names private donors (the open data withholds them, REPORTS.md), otherwise the only report.
Analyses use primary reports only, so no organisation-year is counted twice.

It also compares the two: per income group, the sum of the lines in the primary PDF against the sum
in each open-data report of the same organisation-year; a difference of more than
:data:`TOLERANCE_SEK` becomes a row of the ``disagreements`` table (schema.py).

Which report wins when a source has several for one organisation-year (two PDFs of the same report,
two downloads of the open-data file): the lowest ``report_id`` of the preferred kind, so a re-run
picks the same one. Reports without an organisation number or year cannot be matched and stay
primary on their own.
"""

from __future__ import annotations

import pandas as pd

from . import schema

TOLERANCE_SEK = 1.0
"""Group totals that differ by more than this (SEK) disagree; rounding to whole kronor stays within it."""

_PREFERENCE = {"pdf": 0, "opendata": 1}


def mark_primary(reports: pd.DataFrame) -> pd.DataFrame:
    """``reports`` with ``is_primary`` set: one per (org_number, year), the PDF when there is one."""
    reports = reports.copy()
    if reports.empty:
        return schema.conform(reports, "reports")
    pref = reports["source_kind"].map(_PREFERENCE).fillna(len(_PREFERENCE))
    order = pd.DataFrame(
        {"pref": pref, "report_id": reports["report_id"], "pos": range(len(reports))}
    ).sort_values(["pref", "report_id"], kind="stable")
    keyed = reports["org_number"].notna() & reports["year"].notna()
    ranked = reports.loc[order.index]
    first = ~ranked.duplicated(subset=["org_number", "year"], keep="first")
    is_primary = pd.Series(True, index=reports.index)
    is_primary.loc[ranked.index] = first.to_numpy() | ~keyed.loc[ranked.index].to_numpy()
    reports["is_primary"] = is_primary.astype(bool)
    return schema.conform(reports, "reports")


def group_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Sum of line amounts per (report_id, group)."""
    if lines.empty:
        return pd.DataFrame({"report_id": pd.Series(dtype="str"), "group": pd.Series(dtype="int64"),
                             "amount": pd.Series(dtype="float64")})
    out = lines.groupby(["report_id", "group"], as_index=False)["amount"].sum()
    out["group"] = out["group"].astype("int64")
    return out


def compare(reports: pd.DataFrame, lines: pd.DataFrame, tolerance: float = TOLERANCE_SEK) -> pd.DataFrame:
    """The ``disagreements`` table: primary PDF vs each open-data report of the same organisation-year.

    A group present in one source only counts as 0 in the other.
    """
    keyed = reports[reports["org_number"].notna() & reports["year"].notna()]
    pdf = keyed[(keyed["source_kind"] == "pdf") & keyed["is_primary"].fillna(False).astype(bool)]
    od = keyed[keyed["source_kind"] == "opendata"]
    pairs = pdf[["report_id", "org_number", "year"]].merge(
        od[["report_id", "org_number", "year"]], on=["org_number", "year"], suffixes=("_pdf", "_od")
    )
    if pairs.empty:
        return schema.empty("disagreements")
    totals = group_totals(lines)
    pdf_t = pairs.merge(totals, left_on="report_id_pdf", right_on="report_id", how="inner")
    pdf_t = pdf_t[["report_id_pdf", "report_id_od", "group", "amount"]]
    od_t = pairs.merge(totals, left_on="report_id_od", right_on="report_id", how="inner")
    od_t = od_t[["report_id_pdf", "report_id_od", "group", "amount"]]
    both = pdf_t.merge(od_t, on=["report_id_pdf", "report_id_od", "group"], how="outer", suffixes=("_pdf", "_od"))
    both = both.merge(pairs[["report_id_pdf", "report_id_od", "org_number", "year"]],
                      on=["report_id_pdf", "report_id_od"], how="left")
    both["pdf_amount"] = both["amount_pdf"].fillna(0.0)
    both["opendata_amount"] = both["amount_od"].fillna(0.0)
    both["difference"] = both["pdf_amount"] - both["opendata_amount"]
    out = both[both["difference"].abs() > tolerance]
    out = out.rename(columns={"report_id_pdf": "pdf_report_id", "report_id_od": "opendata_report_id"})
    out = out.sort_values(["org_number", "year", "group", "pdf_report_id", "opendata_report_id"])
    return schema.conform(
        out[["pdf_report_id", "opendata_report_id", "org_number", "year", "group", "pdf_amount",
             "opendata_amount", "difference"]].reset_index(drop=True),
        "disagreements",
    )


def reconcile(reports: pd.DataFrame, lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(reports with is_primary set, disagreements)``; see the module docstring."""
    reports = mark_primary(reports)
    return reports, compare(reports, lines)


def primary(reports: pd.DataFrame) -> pd.DataFrame:
    """Only the reports analyses use (one per organisation-year)."""
    return reports[reports["is_primary"].fillna(False).astype(bool)]
