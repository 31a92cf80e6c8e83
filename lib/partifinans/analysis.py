"""Questions the notebooks ask of the processed tables, as functions.

Notebooks call these; they define no logic of their own. Every function takes the dict of tables
returned by :func:`load` (or ``store.read_tables``) and returns a pandas DataFrame a reader can
inspect, so a researcher can reproduce each number outside the notebook.

Only primary reports are counted (``reports.is_primary``): an organisation-year that appears both
as a PDF and in the open data is counted once, from the PDF (issue #3).
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from . import config, law, store

GROUP_NAMES = {
    1: "Offentligt stöd",
    2: "Medlemsavgifter",
    3: "Försäljning och lotterier",
    4: "Insamling av kontanter",
    5: "Bidrag",
    6: "Övrigt",
    8: "Närstående verksamhet",
}
NON_PUBLIC_GROUPS = (3, 4, 5, 6, 8)


def load(processed: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """All processed tables from ``processed`` (default: ``config.processed_dir()``)."""
    return store.read_tables(processed or config.processed_dir())


def sek(amount: float | None) -> str:
    """An amount as Swedish kronor with thousands separators: ``1 234 567 kr``."""
    if amount is None or pd.isna(amount):
        return "–"
    text = f"{amount:,.0f}".replace(",", "\u00a0")
    return f"{text}\u00a0kr"


@lru_cache(maxsize=1)
def parties() -> pd.DataFrame:
    """Party ids, abbreviations, names and chart colours (``maps/parties.csv``)."""
    text = resources.files("partifinans").joinpath("maps/parties.csv").read_text(encoding="utf-8")
    return pd.DataFrame(list(csv.DictReader(text.splitlines())))


def party_colour(name: str | None) -> str:
    table = parties()
    for _, row in table.iterrows():
        names = {row["name"], row["abbreviation"], *filter(None, row["aliases"].split("|"))}
        if name in names:
            return row["colour"]
    return "#888888"


def primary_reports(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    reports = tables["reports"]
    return reports[reports["is_primary"].fillna(True).astype(bool)].copy()


def _primary(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    ids = set(primary_reports(tables)["report_id"])
    frame = tables[name]
    return frame[frame["report_id"].isin(ids)].copy()


def _with_report(frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    cols = ["report_id", "year", "org_number", "reporter_name", "party", "role", "level", "source_path"]
    return frame.merge(primary_reports(tables)[cols], on="report_id", how="inner")


# --- 01: ingest and quality ---------------------------------------------------------------


def file_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Files by status and layout, with counts."""
    files = tables["files"]
    out = files.groupby(["status", "layout"], dropna=False).size().rename("files").reset_index()
    return out.sort_values(["status", "files"], ascending=[True, False], ignore_index=True)


def failed_files(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    files = tables["files"]
    return files.loc[files["status"] != "parsed", ["path", "status", "reason"]].reset_index(drop=True)


def reconciliation(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per report: printed total, sum of lines, difference (only reports whose difference exceeds 1 kr)."""
    reports = primary_reports(tables)
    sums = tables["lines"].groupby("report_id")["amount"].sum().rename("sum_of_lines")
    out = reports[["report_id", "reporter_name", "year", "source_path", "total"]].merge(
        sums, left_on="report_id", right_index=True, how="left"
    )
    out["difference"] = out["total"] - out["sum_of_lines"].fillna(0.0)
    out = out[out["total"].notna() & (out["difference"].abs() > 1.0)]
    return out.drop(columns="report_id").sort_values("difference", key=abs, ascending=False, ignore_index=True)


def report_warnings(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per warning the readers raised, with the report it belongs to."""
    reports = tables["reports"][["reporter_name", "year", "source_path", "warnings"]].explode("warnings")
    reports = reports.dropna(subset=["warnings"]).rename(columns={"warnings": "warning"})
    return reports.reset_index(drop=True)


def coverage(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Organisation x year: 1 where a report exists (primary or not), 0 where none."""
    reports = tables["reports"].copy()
    reports["organisation"] = reports["reporter_name"].fillna(reports["org_number"])
    matrix = pd.crosstab(reports["organisation"], reports["year"]).clip(upper=1)
    if len(matrix.columns):
        years = range(int(matrix.columns.min()), int(matrix.columns.max()) + 1)
        matrix = matrix.reindex(columns=list(years), fill_value=0)
    return matrix.sort_index()


def coverage_by(tables: dict[str, pd.DataFrame], by: str) -> pd.DataFrame:
    """Number of primary reports per year and ``by`` (``party``, ``level``, ``role`` or ``kind``)."""
    reports = primary_reports(tables)
    return pd.crosstab(reports[by].fillna("(okänd)"), reports["year"])


# --- 02: donor network ----------------------------------------------------------------------


def top_donors(tables: dict[str, pd.DataFrame], n: int = 10) -> pd.DataFrame:
    """Donor entities by total given over all years and parties."""
    contrib = _with_report(tables["contributions"].dropna(subset=["entity_id"]), tables)
    grouped = contrib.groupby("entity_id").agg(
        total=("amount", "sum"),
        contributions=("amount", "size"),
        recipients=("report_id", lambda s: contrib.loc[s.index, "reporter_name"].nunique()),
        parties=("party", lambda s: ", ".join(sorted(set(s.dropna())))),
        first_year=("year", "min"),
        last_year=("year", "max"),
    )
    entities = tables["entities"].set_index("entity_id")[["canonical_name", "kind"]]
    out = grouped.join(entities).reset_index()
    out = out.sort_values(["total", "canonical_name"], ascending=[False, True], ignore_index=True).head(n)
    return out[["entity_id", "canonical_name", "kind", "total", "contributions", "recipients", "parties", "first_year", "last_year"]]


def spellings(tables: dict[str, pd.DataFrame], entity_id: str) -> pd.DataFrame:
    """How the contributions linked to one entity were written, with identifiers and where."""
    contrib = _with_report(tables["contributions"], tables)
    rows = contrib[contrib["entity_id"] == entity_id]
    out = rows.groupby(["donor", "donor_id"], dropna=False).agg(
        contributions=("amount", "size"), total=("amount", "sum"), years=("year", lambda s: sorted(set(s)))
    )
    return out.reset_index().sort_values("contributions", ascending=False, ignore_index=True)


# --- 04: patterns -----------------------------------------------------------------------------


def anonymous_relative_to_limit(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Each anonymous contribution divided by its year's 0.05 pbb limit (1.0 = at the limit)."""
    contrib = _with_report(tables["contributions"], tables)
    anon = contrib[contrib["donor_kind"] == "anonymous"]
    anon = anon[anon["code"].fillna("").str.startswith("5.")]
    limits = anon["year"].map(lambda y: law.threshold(int(y), "anonymous"))
    return (anon["amount"] / limits).rename("share_of_limit").reset_index(drop=True)


def lottery_by_year(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Lottery income (types 3.2 + 3.3) per organisation and year."""
    lines = _with_report(tables["lines"], tables)
    lottery = lines[lines["code"].isin(["3.2", "3.3"])]
    return lottery.pivot_table(index="reporter_name", columns="year", values="amount", aggfunc="sum", fill_value=0.0)


def donors_across_organisations(tables: dict[str, pd.DataFrame], min_organisations: int = 2) -> pd.DataFrame:
    """Donor entities giving to several organisations of one party in one year."""
    contrib = _with_report(tables["contributions"].dropna(subset=["entity_id"]), tables)
    grouped = contrib.groupby(["entity_id", "party", "year"]).agg(
        organisations=("org_number", "nunique"), total=("amount", "sum")
    )
    grouped = grouped[grouped["organisations"] >= min_organisations].reset_index()
    names = tables["entities"].set_index("entity_id")["canonical_name"]
    grouped.insert(1, "donor", grouped["entity_id"].map(names))
    return grouped.sort_values(["organisations", "total"], ascending=False, ignore_index=True)


# --- 05: party overview -------------------------------------------------------------------


def income_by_group(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Income per party, year and group (SEK), from primary reports."""
    lines = _with_report(tables["lines"], tables)
    out = lines.pivot_table(index=["party", "year"], columns="group", values="amount", aggfunc="sum", fill_value=0.0)
    out.columns = [GROUP_NAMES.get(int(c), str(c)) for c in out.columns]
    return out


def named_share(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per party: itemised contributions with a named donor vs withheld or anonymous (SEK and share)."""
    contrib = _with_report(tables["contributions"], tables)
    contrib["named"] = contrib["donor"].notna()
    out = contrib.pivot_table(index="party", columns="named", values="amount", aggfunc="sum", fill_value=0.0)
    out = out.rename(columns={True: "named", False: "withheld_or_anonymous"})
    for col in ("named", "withheld_or_anonymous"):
        if col not in out:
            out[col] = 0.0
    out["named_share"] = out["named"] / (out["named"] + out["withheld_or_anonymous"])
    return out[["named", "withheld_or_anonymous", "named_share"]]


def flags_table(tables: dict[str, pd.DataFrame], pattern: str | None = None) -> pd.DataFrame:
    """The flag register as a readable frame (lists decoded), optionally one pattern."""
    flags = tables["flags"].copy()
    if pattern:
        flags = flags[flags["pattern"] == pattern]
    for col in ("organisations", "donors", "evidence"):
        flags[col] = flags[col].map(lambda s: json.loads(s) if isinstance(s, str) else [])
    flags["organisation"] = flags["organisations"].map(lambda xs: ", ".join(x["name"] for x in xs if x.get("name")))
    flags["where"] = flags["evidence"].map(
        lambda xs: "; ".join(f"{Path(x['source_path']).name} s. {x['page']}" if x.get("page") else Path(x["source_path"]).name for x in xs)
    )
    return flags.reset_index(drop=True)
