"""Questions the notebooks ask of the processed tables, as functions.

Notebooks call these; they define no logic of their own. Every function takes the dict of tables
returned by :func:`load` (or ``store.read_tables``) and returns a pandas DataFrame a reader can
inspect, so a researcher can reproduce each number outside the notebook.

Only primary reports are counted (``reports.is_primary``): a reporter-year that appears both as a
PDF and in the open data, or in two files, is counted once. Every fact a function needs beyond the
printed values (``is_primary``, ``org_id``, the canonical ``party``, the code flags such as
``is_lottery`` and ``is_anonymous``) is a column ``harmonise.py`` derived; nothing here re-derives
one (:func:`_table` derives them for tables that were not made by ``ingest``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import config, harmonise, law, schema, store, values
from .detect.config import CONFIG
from .link.match import RULE_MEANINGS

GROUP_NAMES = schema.GROUP_NAMES


def load(processed: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """All processed tables from ``processed`` (default: ``config.processed_dir()``)."""
    return store.read_tables(processed or config.processed_dir())


def sek(amount: float | None) -> str:
    """An amount as Swedish kronor: ``values.format_sek`` (``1 234 567 kr``, ``1 234 567,50 kr``)."""
    return values.format_sek(amount)


def parties() -> pd.DataFrame:
    """Party ids, abbreviations, names and chart colours (``maps/parties.csv``)."""
    return harmonise.party_map()


def party_colour(name: str | None) -> str:
    return harmonise.party_colour(name)


def _table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """One table with the harmonised columns (derived by ``harmonise.ensure`` only if missing)."""
    return harmonise.ensure(tables)[name]


def primary_reports(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The reports analyses count: ``is_primary`` as harmonised (one per reporter-year)."""
    reports = _table(tables, "reports")
    return reports[reports["is_primary"].astype(bool)].copy()


def _primary(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    ids = set(primary_reports(tables)["report_id"])
    frame = _table(tables, name)
    return frame[frame["report_id"].isin(ids)].copy()


def _with_report(frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    cols = ["report_id", "year", "org_id", "org_number", "reporter_name", "party", "role", "level", "source_path"]
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


_CONFIDENCE_ORDER = {"low": 0, "medium": 1}


def files_to_check(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The PDF reports to open by hand: low confidence first, then medium, each with the checks behind
    its confidence (the reader's own: sums, year, reporter, nothing unplaced; extract/checks.py) joined
    into one text. Every report is listed, primary or not: each is a file someone must look at."""
    reports = tables["reports"]
    cols = ["confidence", "source_path", "reporter_name", "year", "ocr", "checks"]
    out = reports.loc[reports["confidence"].isin(list(_CONFIDENCE_ORDER)), cols].copy()
    out["checks"] = out["checks"].map(lambda c: "; ".join(c) if c is not None and len(c) else "")
    out["_order"] = out["confidence"].map(_CONFIDENCE_ORDER)
    out = out.sort_values(["_order", "source_path"], kind="stable", ignore_index=True)
    return out.drop(columns="_order")


def reconciliation(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per report: printed total, sum of lines, difference (only reports whose difference exceeds 1 kr)."""
    reports = primary_reports(tables)
    sums = _table(tables, "lines").groupby("report_id")["amount"].sum().rename("sum_of_lines")
    out = reports[["report_id", "reporter_name", "year", "source_path", "total"]].merge(
        sums, left_on="report_id", right_index=True, how="left"
    )
    out["difference"] = out["total"] - out["sum_of_lines"].fillna(0.0)
    out = out[out["total"].notna() & (out["difference"].abs() > CONFIG.total_tolerance_sek)]
    return out.drop(columns="report_id").sort_values("difference", key=abs, ascending=False, ignore_index=True)


def report_warnings(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per warning the readers raised, with the report it belongs to."""
    reports = tables["reports"][["reporter_name", "year", "source_path", "warnings"]].explode("warnings")
    reports = reports.dropna(subset=["warnings"]).rename(columns={"warnings": "warning"})
    return reports.reset_index(drop=True)


def coverage(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Organisation x year: 1 where a report exists (primary or not), 0 where none, and NaN where
    the organisation had no duty to report at all (``law.reporting_duty``: local, regional and side
    organisations before 2018, which lag (2014:105) did not cover), so that such a year is not
    counted as missing."""
    reports = tables["reports"].copy()
    reports["organisation"] = reports["reporter_name"].fillna(reports["org_number"])
    matrix = pd.crosstab(reports["organisation"], reports["year"]).clip(upper=1)
    if len(matrix.columns):
        years = range(int(matrix.columns.min()), int(matrix.columns.max()) + 1)
        matrix = matrix.reindex(columns=list(years), fill_value=0).astype(float)
        latest = reports.sort_values("year").drop_duplicates("organisation", keep="last").set_index("organisation")
        for org in matrix.index:
            who = latest.loc[org]
            for year in matrix.columns:
                if matrix.at[org, year] == 0 and law.reporting_duty(
                    who["party"] if pd.notna(who["party"]) else None,
                    who["role"] if pd.notna(who["role"]) else None,
                    who["level"] if pd.notna(who["level"]) else None,
                    int(year),
                )[0] == "none":
                    matrix.at[org, year] = float("nan")
    return matrix.sort_index()


def coverage_by(tables: dict[str, pd.DataFrame], by: str) -> pd.DataFrame:
    """Number of primary reports per year and ``by`` (``party``, ``level``, ``role`` or ``kind``)."""
    reports = primary_reports(tables)
    keys = reports[by].map(schema.ROLE_NAMES).fillna(reports[by]) if by == "role" else reports[by]
    return pd.crosstab(keys.fillna("(unknown)").rename(by), reports["year"])


# --- 02: donor network ----------------------------------------------------------------------


def top_donors(tables: dict[str, pd.DataFrame], n: int = 10) -> pd.DataFrame:
    """Donor entities by total given over all years and parties."""
    contrib = _with_report(_table(tables, "contributions").dropna(subset=["entity_id"]), tables)
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
    contrib = _with_report(_table(tables, "contributions"), tables)
    rows = contrib[contrib["entity_id"] == entity_id]
    out = rows.groupby(["donor", "donor_id"], dropna=False).agg(
        contributions=("amount", "size"), total=("amount", "sum"), years=("year", lambda s: sorted(set(s)))
    )
    return out.reset_index().sort_values("contributions", ascending=False, ignore_index=True)


# --- 04: patterns -----------------------------------------------------------------------------


def anonymous_relative_to_limit(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Each anonymous contribution divided by its year's 0.05 pbb limit (1.0 = at the limit)."""
    contrib = _with_report(_table(tables, "contributions"), tables)
    anon = contrib[contrib["is_anonymous"].astype(bool) & (contrib["group"] == 5)]
    limits = anon["year"].map(lambda y: law.threshold(int(y), "anonymous"))
    return (anon["amount"] / limits).rename("share_of_limit").reset_index(drop=True)


def lottery_by_year(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Lottery income (``is_lottery``: types 3.2 + 3.3) per organisation and year; NaN for a year
    without a report."""
    lines = _with_report(_table(tables, "lines"), tables)
    lottery = lines[lines["is_lottery"].astype(bool)]
    out = lottery.pivot_table(index="reporter_name", columns="year", values="amount", aggfunc="sum", fill_value=0.0)
    # A year in which the organisation filed no report is unknown (NaN), not zero lottery income.
    reports = primary_reports(tables)
    filed = pd.crosstab(reports["reporter_name"], reports["year"]).reindex(index=out.index, columns=out.columns, fill_value=0)
    return out.where(filed > 0)


def donors_across_organisations(tables: dict[str, pd.DataFrame], min_organisations: int = 2) -> pd.DataFrame:
    """Donor entities giving to several organisations of one party in one year."""
    contrib = _with_report(_table(tables, "contributions").dropna(subset=["entity_id"]), tables)
    grouped = contrib.groupby(["entity_id", "party", "year"]).agg(
        organisations=("org_id", "nunique"), total=("amount", "sum")
    )
    grouped = grouped[grouped["organisations"] >= min_organisations].reset_index()
    names = tables["entities"].set_index("entity_id")["canonical_name"]
    grouped.insert(1, "donor", grouped["entity_id"].map(names))
    grouped = grouped.sort_values(["organisations", "total"], ascending=False, ignore_index=True)
    return grouped.drop(columns="entity_id")  # a table for readers: no internal ids


# --- 05: party overview -------------------------------------------------------------------


def income_by_group(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Income per party, year and group (SEK), from primary reports."""
    lines = _with_report(_table(tables, "lines"), tables)
    out = lines.pivot_table(index=["party", "year"], columns="group", values="amount", aggfunc="sum", fill_value=0.0)
    out.columns = [GROUP_NAMES.get(int(c), str(c)) for c in out.columns]
    return out


def named_share(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per party: itemised contributions with a named donor vs withheld or anonymous (SEK and share)."""
    contrib = _with_report(_table(tables, "contributions"), tables)
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
        lambda xs: "; ".join(f"{Path(x['source_path']).name} p. {x['page']}" if x.get("page") else Path(x["source_path"]).name for x in xs)
    )
    return flags.reset_index(drop=True)


# --- shared by several notebooks: paths, amounts, private persons ----------------------------


def project_relative(path: Path | str) -> str:
    """``path`` relative to the project root when it lies inside it, else only its name.

    Notebooks are committed with their outputs, so they never print an absolute path (it would
    reveal a user's directories and change from machine to machine).
    """
    path = Path(path)
    try:
        return path.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return path.name


INTERNAL_IDS = ("entity_id", "report_id", "contribution_id", "record_id")
"""Keys that join the tables (content hashes): what a reader needs is the name, file and page."""


def format_sek(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``frame`` as shown to a reader: the given amount columns as text (``1 234 kr``, see
    :func:`sek`) and without the internal join keys (:data:`INTERNAL_IDS`)."""
    out = frame.drop(columns=[c for c in INTERNAL_IDS if c in frame.columns])
    for col in columns:
        out[col] = out[col].map(sek).astype(object)
    return out


def public_names(frame: pd.DataFrame, name: str = "canonical_name", entity_id: str = "entity_id",
                 kind: str = "kind") -> pd.DataFrame:
    """See :func:`privacy.public_names` (the notebooks' entry point)."""
    from . import privacy

    return privacy.public_names(frame, name, entity_id, kind)


# --- 02: linkage ----------------------------------------------------------------------------------

LINK_RULES = RULE_MEANINGS  # what each linkage rule means, in plain words: link/match.py is its home


def linkage_rules(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many donor records each linkage rule joined to an entity, with the rule in plain words."""
    links = tables["links"]
    out = links.groupby("rule").size().rename("records").reset_index()
    out["meaning"] = out["rule"].map(LINK_RULES).fillna("")
    return out.sort_values(["records", "rule"], ascending=[False, True], ignore_index=True)


def spellings_with_reasons(tables: dict[str, pd.DataFrame], entity_id: str) -> pd.DataFrame:
    """Every contribution linked to one entity: recipient, year, the donor as printed, its identity
    number, and the linkage rule and score that joined it (with the spelling it was joined to).

    A private person's printed name and personnummer pseudonym are not shown (see
    :func:`public_names`); the rule still is.
    """
    from . import privacy

    links = tables["links"].set_index("contribution_id")
    contrib = _with_report(_table(tables, "contributions"), tables)
    rows = contrib[contrib["entity_id"] == entity_id].copy()
    rows["rule"] = rows["contribution_id"].map(links["rule"])
    rows["score"] = rows["contribution_id"].map(links["score"])
    printed = _table(tables, "contributions").set_index("contribution_id")["donor"]
    rows["linked_to"] = rows["contribution_id"].map(links["linked_to"]).map(printed)
    out = rows[["year", "reporter_name", "donor", "donor_id", "address", "amount", "rule", "score", "linked_to"]]
    out = out.sort_values(["year", "reporter_name", "amount", "donor"], na_position="last", ignore_index=True)
    if (rows["donor_kind"] == "person").any():
        label = privacy.private_label(entity_id)
        out = out.assign(donor=label, donor_id="(personnummer, pseudonymised)", address="(hidden)",
                         linked_to=out["linked_to"].where(out["linked_to"].isna(), label))
    return out


def merged_spellings(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Donor entities printed in more than one way (name or identity number), with the printings.

    Columns: entity_id, canonical_name, kind, spellings (distinct name/number printings),
    printed ("name [number]; ..."; hidden for private persons), contributions, total (SEK).
    Most printings first, then the largest total.
    """
    contrib = _with_report(_table(tables, "contributions").dropna(subset=["entity_id"]), tables)
    contrib["printing"] = contrib["donor"].fillna("(no name)") + " [" + contrib["donor_id"].fillna("no number") + "]"
    grouped = contrib.groupby("entity_id").agg(
        spellings=("printing", "nunique"),
        printed=("printing", lambda s: "; ".join(sorted(set(s)))),
        contributions=("amount", "size"),
        total=("amount", "sum"),
    )
    grouped = grouped[grouped["spellings"] > 1]
    entities = tables["entities"].set_index("entity_id")[["canonical_name", "kind"]]
    out = grouped.join(entities).reset_index()
    out.loc[out["kind"] == "person", "printed"] = "(private person: printings not shown)"
    out = out.sort_values(["spellings", "total", "canonical_name"], ascending=[False, False, True], ignore_index=True)
    return out[["entity_id", "canonical_name", "kind", "spellings", "printed", "contributions", "total"]]


def uncertain_for_review(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Close calls the matcher did not decide (``link.uncertain_pairs``), private persons labelled."""
    from . import privacy

    pairs = tables["link_review"].copy()
    kinds = _table(tables, "contributions").set_index("contribution_id")["donor_kind"]
    for side in ("left", "right"):
        person = pairs[side].map(kinds).fillna("") == "person"
        pairs[f"{side}_name"] = pairs[f"{side}_name"].astype(object)
        pairs.loc[person, f"{side}_name"] = pairs.loc[person, f"{side}_entity"].map(privacy.private_label)
    return pairs.sort_values(["score", "left", "right"], ascending=[False, True, True], ignore_index=True)


def party_with_most_donations(tables: dict[str, pd.DataFrame]) -> str | None:
    """The party whose organisations received the most from identified donors (ties: by name)."""
    contrib = _with_report(_table(tables, "contributions").dropna(subset=["entity_id"]), tables)
    totals = contrib.groupby("party")["amount"].sum().reset_index()
    if totals.empty:
        return None
    totals = totals.sort_values(["amount", "party"], ascending=[False, True])
    return str(totals.iloc[0]["party"])


# --- 03 and 04: flags as readable cases ----------------------------------------------------------


def flag_cases(tables: dict[str, pd.DataFrame], patterns: list[str] | tuple[str, ...] | None = None,
               reveal_private: bool = False) -> pd.DataFrame:
    """Flags of the given patterns (all when None) as a readable table, in the register's order
    (severity, then amount). Private donors are shown as ``Privatperson <hash>`` in the
    explanation unless ``reveal_private``."""
    from .detect.cli import pseudonymise_private_donors

    flags = tables["flags"]
    if patterns is not None:
        flags = flags[flags["pattern"].isin(list(patterns))]
    if not reveal_private and len(flags):
        flags = pseudonymise_private_donors(flags.reset_index(drop=True), tables)
    out = flags_table({**tables, "flags": flags})
    cols = ["pattern", "severity", "year", "party", "organisation", "amount", "estimated_fee", "explanation", "where"]
    return out[cols]


def fees_by_pattern(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Number of flags and the estimated sanction fees per pattern (SEK; 0 where no fee applies)."""
    flags = tables["flags"]
    out = flags.groupby("pattern").agg(flags=("flag_id", "size"), with_fee=("estimated_fee", "count"),
                                       estimated_fees=("estimated_fee", "sum")).reset_index()
    return out.sort_values(["estimated_fees", "pattern"], ascending=[False, True], ignore_index=True)


def source_disagreements(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Group totals on which a PDF report and the open-data file disagree, with the organisation."""
    dis = tables["disagreements"]
    names = tables["reports"].set_index("report_id")["reporter_name"]
    out = dis.assign(reporter_name=dis["pdf_report_id"].map(names),
                     group_name=dis["group"].map(lambda g: GROUP_NAMES.get(int(g), str(g))))
    out = out[["reporter_name", "org_number", "year", "group", "group_name", "pdf_amount", "opendata_amount", "difference"]]
    return out.sort_values(["year", "reporter_name", "group"], ignore_index=True)


def identity_problems(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Named itemised contributions (5.4, 5.7, 8.x) whose identity number fails its check digit,
    or that carry neither an identity number nor an address, as printed in primary PDF reports.
    Private persons' names are replaced by their label."""
    from . import privacy

    contrib = _with_report(_table(tables, "contributions"), tables)
    reports = primary_reports(tables).set_index("report_id")["source_kind"]
    contrib = contrib[contrib["report_id"].map(reports) == "pdf"]
    named = contrib["donor_kind"] != "anonymous"
    invalid = contrib["is_donor_id_valid"].fillna(True).eq(False)
    named_type = contrib["code"].map(harmonise.code_map()["donor_kind"]).isin(["person", "organisation"])
    missing = contrib["donor_id"].isna() & contrib["address"].isna() & named_type
    rows = contrib[named & (invalid | missing)].copy()
    rows["problem"] = invalid[named & (invalid | missing)].map({True: "identity number fails its check digit",
                                                                False: "neither identity number nor address"})
    person = rows["donor_kind"] == "person"
    rows["donor"] = rows["donor"].astype(object)
    rows.loc[person, "donor"] = rows.loc[person, "entity_id"].map(privacy.private_label)
    rows["source"] = rows["source_path"].map(lambda p: Path(p).name) + " p. " + rows["page"].astype(str)
    out = rows[["year", "reporter_name", "code", "donor", "donor_kind", "amount", "problem", "source"]]
    return out.sort_values(["year", "reporter_name", "amount", "donor"], ascending=[True, True, False, True], ignore_index=True)


def anonymous_near_limit_counts(shares: pd.Series, near: float = 0.9) -> dict[str, int]:
    """How many anonymous gifts lie below ``near`` x the limit, between it and the limit, and over it."""
    return {
        "below": int((shares < near).sum()),
        "near": int(((shares >= near) & (shares <= 1.0)).sum()),
        "over": int((shares > 1.0).sum()),
    }


# --- 05: party overview ----------------------------------------------------------------------


def side_organisations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Side organisations (youth wings, women's and senior associations) that reported, per year."""
    reports = primary_reports(tables)
    side = reports[reports["role"] == "sidoorganisation"]
    out = side[["party", "reporter_name", "org_number", "level", "year", "total"]]
    return out.sort_values(["party", "reporter_name", "year"], ignore_index=True)


def related_entity_income(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Group 8 lines (income received by an entity under the party's controlling influence)."""
    lines = _with_report(_table(tables, "lines"), tables)
    rel = lines[lines["is_related_entity"].astype(bool) & (lines["amount"] != 0)]
    out = rel[["party", "reporter_name", "year", "code", "label", "amount", "source_path", "page"]].copy()
    out["source_path"] = out["source_path"].map(lambda p: Path(p).name)
    return out.sort_values(["party", "year", "reporter_name", "amount", "code"],
                           ascending=[True, True, True, False, True], ignore_index=True)
