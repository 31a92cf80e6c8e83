"""One reporter-year from two sources: the PDF report and the open-data file.

Both are kept in ``reports`` (``source_kind`` ``pdf`` | ``opendata``). Which one analyses use is
``reports.is_primary``, set once by ``harmonise.primary_flags`` (the PDF when there is one,
because only the PDF names private donors: the open data withholds them); :func:`primary` only
reads it.

:func:`compare` sets the two side by side: per income group, the sum of the lines in the primary
PDF against the sum in each open-data report of the same reporter-year (``org_id``, ``year``); a
difference of more than ``detect.config.CONFIG.total_tolerance_sek`` becomes a row of the
``disagreements`` table (schema.py).
"""

from __future__ import annotations

import pandas as pd

from . import schema
from .detect.config import CONFIG


def group_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Sum of line amounts per (report_id, group)."""
    if lines.empty:
        return pd.DataFrame({"report_id": pd.Series(dtype="str"), "group": pd.Series(dtype="int64"),
                             "amount": pd.Series(dtype="float64")})
    out = lines.groupby(["report_id", "group"], as_index=False)["amount"].sum()
    out["group"] = out["group"].astype("int64")
    return out


def compare(reports: pd.DataFrame, lines: pd.DataFrame, tolerance: float | None = None) -> pd.DataFrame:
    """The ``disagreements`` table: primary PDF vs each open-data report of the same reporter-year.

    A group present in one source only counts as 0 in the other. ``reports`` must be harmonised
    (``org_id``, ``is_primary``; see ``harmonise.ensure``).
    """
    tolerance = CONFIG.total_tolerance_sek if tolerance is None else tolerance
    keyed = reports[reports["org_id"].notna() & reports["year"].notna()].copy()
    keyed["org_number"] = keyed["org_number"].astype(object).where(keyed["org_number"].notna(), keyed["org_id"])
    pdf = keyed[(keyed["source_kind"] == "pdf") & keyed["is_primary"].astype(bool)]
    od = keyed[keyed["source_kind"] == "opendata"]
    pairs = pdf[["report_id", "org_id", "org_number", "year"]].merge(
        od[["report_id", "org_id", "year"]], on=["org_id", "year"], suffixes=("_pdf", "_od")
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
    """``(reports, disagreements)``: ``reports`` harmonised (``harmonise.ensure``: derived only where
    missing) and the ``disagreements`` table; see the module docstring."""
    from . import harmonise

    reports = harmonise.ensure({"reports": reports, "lines": lines})["reports"]
    return reports, compare(reports, lines)


def primary(reports: pd.DataFrame) -> pd.DataFrame:
    """Only the reports analyses use (one per reporter-year): ``is_primary`` as harmonised."""
    from . import harmonise

    reports = harmonise.ensure({"reports": reports})["reports"]
    return reports[reports["is_primary"].astype(bool)]
