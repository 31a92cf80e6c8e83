"""Harmonise: the facts every later stage reads, derived once from the extracted tables.

``pipeline`` runs :func:`harmonise` after reading the files and before reconciliation, linkage,
the detectors and the graph. It writes, as columns (``schema.py``):

``reports``
    - ``org_id``: who reported, the same key in every table and every consumer: the valid
      organisationsnummer ``NNNNNN-NNNN``; else ``reporter:<16 hex>`` hashed from the reporter's
      case-folded name, role, level and area (an elected member, an organisation whose number
      fails its check digit or is missing). A personnummer or its ``pnr:`` pseudonym is never
      read as an organisationsnummer.
    - ``party_id`` and ``party``: the party through ``maps/parties.csv`` (name, abbreviation,
      aliases and historic names: "Folkpartiet liberalerna" is Liberalerna, id 3). A party the map
      does not know is kept as printed with a null ``party_id`` and a warning on the report.
    - ``is_primary``: one report per reporter-year (``org_id``, ``year``), whatever the source and
      the role: the PDF before the open data, an intäktsredovisning before an anmälan, the later
      submission, then the lowest ``report_id``. Two files of one member's report are one report.
      A report without a year is a duplicate only of one with the same ``org_id`` and the same
      lines and total. A second file of one report (not the open-data copy of a PDF) gets a
      warning naming the file that is counted, so no copy is dropped silently.
``lines`` and ``contributions``
    - ``is_anonymous``, ``is_collection``, ``is_lottery``, ``is_internal_transfer``,
      ``is_related_entity``: what the income type means, from the columns of the one code map
      ``maps/income_types.csv``. A line printed without a code (the 2014 form) is looked up by its
      label through the map's labels and aliases.
    - ``contributions.donor_kind``: ``anonymous`` for the code map's anonymous types (4.1, 5.2,
      8.1, 8.2) when the row names no donor (a named donor under such a code is evidence against
      the map, and is kept); else ``person`` for a personnummer (privacy first); else the code map's kind (5.4,
      8.4 person; 5.7, 8.7 organisation); else ``organisation`` for a valid organisationsnummer;
      else what the reader said; else ``unknown``.
    - ``contributions.address_key``: the donor address as linkage compares it
      (``link.normalise.parse_address``: case, spacing and street abbreviations such as "Storg."
      set aside), so the detectors and the linker agree on "same address".
Ids (:func:`identifiers.make_id`, never a position or a file's row number)
    - ``reports.report_id``: a PDF report keeps the first 16 hex digits of its file's sha256 (the
      file is the report: renaming or moving it keeps the id). An open-data report gets
      ``make_id("opendata", org_id, year, n)``, ``n`` its occurrence among open-data reports of
      that reporter-year (ordered by file sha256, then printed number, name and total), so a
      re-download with rows in another order keeps every id. (Two different downloads both
      holding one reporter-year are numbered by their files' sha256: replacing one of them may
      renumber the other; ``is_primary`` counts only one of them anyway.)
    - ``contributions.contribution_id``: ``make_id("contribution", org_id, year, code, donor,
      donor_id, date, amount, n)``, ``n`` the occurrence among equal contributions (primary
      report first, then by report id and the reader's order), so a parser change that reorders
      its output, or another download of the same data, keeps every id, and a ``record:``
      judgement in ``data/manual/judgements.csv`` keeps pointing at the same donor.

Running :func:`harmonise` on its own output gives the same tables (``pipeline`` reuses the rows
of unchanged files and harmonises them again with the new ones).

Consumers that may be handed tables not made by ``ingest`` (tests, notebooks on old output) call
:func:`ensure`, which derives the columns only when they are missing or hold nulls.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from . import identifiers, schema

CODE_FLAGS = schema.CODE_FLAGS
REPORT_COLUMNS = ("org_id", "party_id", "is_primary")
_SOURCE_ORDER = {"pdf": 0, "opendata": 1}
_KIND_ORDER = {"intaktsredovisning": 0, "anmalan": 1}


# --- the maps --------------------------------------------------------------------------------------


def _read_map(name: str) -> list[dict]:
    text = resources.files("partifinans").joinpath("maps", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def code_map() -> pd.DataFrame:
    """``maps/income_types.csv`` indexed by code: group, itemised, donor_kind and the code flags."""
    table = pd.DataFrame(_read_map("income_types.csv")).set_index("code")
    for col in ("itemised", *CODE_FLAGS):
        table[col] = table[col].str.strip().str.casefold().eq("true")
    table["group"] = table["group"].astype(int)
    table["donor_kind"] = table["donor_kind"].replace("", None)
    return table


@lru_cache(maxsize=1)
def party_map() -> pd.DataFrame:
    """``maps/parties.csv``: party_id, abbreviation, name, colour, aliases (``|``-separated)."""
    return pd.DataFrame(_read_map("parties.csv"))


def _fold(text: object) -> str | None:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    folded = " ".join(str(text).split()).casefold()
    return folded or None


@lru_cache(maxsize=1)
def _party_lookup() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for row in party_map().to_dict("records"):
        names = [row["name"], row["abbreviation"], row["party_id"], *filter(None, (row["aliases"] or "").split("|"))]
        for name in names:
            key = _fold(name)
            if key:
                out[key] = (str(row["party_id"]), row["name"])
    return out


def canonical_party(printed: object) -> tuple[str | None, str | None]:
    """``(party_id, party)`` for a party as printed: the map's id and name, or ``(None, as printed)``."""
    key = _fold(printed)
    if key is None:
        return None, None
    found = _party_lookup().get(key)
    if found:
        return found
    return None, " ".join(str(printed).split())


def party_colour(party: object) -> str:
    """The chart colour of a party (``maps/parties.csv``); grey for a party the map does not know."""
    party_id, _ = canonical_party(party)
    if party_id is None:
        return "#888888"
    row = party_map().set_index("party_id").loc[party_id]
    return row["colour"]


def unknown_party_warning(party: str) -> str:
    return f"party {party!r} is not in maps/parties.csv; kept as printed"


@lru_cache(maxsize=4096)
def _code_of_label(label: str) -> str | None:
    from .extract.labels import label_shape, load

    return load().income_aliases.get(label_shape(label))


def _codes(frame: pd.DataFrame) -> pd.Series:
    """Each row's income type code, or for an uncoded line the code its label names."""
    code = frame["code"].astype(object).where(frame["code"].notna(), None)
    if "label" in frame.columns:
        missing = code.isna() & frame["label"].notna()
        if missing.any():
            code = code.copy()
            code[missing] = [_code_of_label(str(x)) for x in frame.loc[missing, "label"]]
    return code


def code_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """The code flags of ``lines`` or ``contributions`` rows (one boolean column per flag)."""
    cmap = code_map()
    code = _codes(frame)
    out = pd.DataFrame(index=frame.index)
    for flag in CODE_FLAGS:
        out[flag] = code.map(cmap[flag]).fillna(False).astype(bool)
    # Group 8 is income of related entities whatever its code (the open data's 8.x codes vary).
    out["is_related_entity"] |= frame["group"].fillna(0).astype(int).eq(8).to_numpy()
    return out


# --- identity --------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _valid_orgnr(text: str) -> str | None:
    if text.startswith("pnr:"):
        return None
    ident = identifiers.parse_identifier(text)
    if ident is None or ident.kind != "orgnr" or not ident.is_valid:
        return None
    return ident.value


def org_id(org_number: object, name: object, role: object, level: object, area: object) -> str:
    """The reporter's key: its valid organisationsnummer, else a hash of name, role, level and area."""
    if isinstance(org_number, str) and org_number:
        orgnr = _valid_orgnr(org_number)
        if orgnr:
            return orgnr
    return "reporter:" + identifiers.make_id("reporter", _fold(name), _fold(role), _fold(level), _fold(area))


def address_key(address: object) -> str | None:
    """A printed address as linkage compares it (``link.normalise.parse_address``), or None."""
    if _fold(address) is None:
        return None
    from .link.normalise import parse_address

    key = parse_address(str(address)).key
    return key or None


# --- the stage -------------------------------------------------------------------------------------


def _plain(values) -> list:
    return [None if (v is None or (not isinstance(v, (str, list, np.ndarray)) and pd.isna(v))) else v
            for v in values]


def harmonise_reports(reports: pd.DataFrame, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """``reports`` with ``org_id``, ``party_id``, canonical ``party`` and ``is_primary``."""
    reports = reports.copy()
    if reports.empty:
        for col in ("org_id", "party_id", "is_primary"):
            if col not in reports.columns:
                reports[col] = pd.Series(dtype=object)
        return reports
    cols = {c: _plain(reports[c]) if c in reports.columns else [None] * len(reports)
            for c in ("org_number", "reporter_name", "role", "level", "area", "party")}
    reports["org_id"] = [
        org_id(o, n, r, lv, a) for o, n, r, lv, a in zip(
            cols["org_number"], cols["reporter_name"], cols["role"], cols["level"], cols["area"], strict=True)
    ]
    ids, names, warnings_col = [], [], []
    existing = reports["warnings"] if "warnings" in reports.columns else pd.Series([None] * len(reports))
    for printed, warns in zip(cols["party"], existing.tolist(), strict=True):
        pid, name = canonical_party(printed)
        ids.append(pid)
        names.append(name)
        warns = list(warns) if warns is not None and not isinstance(warns, float) else []
        if name is not None and pid is None:
            message = unknown_party_warning(name)
            if message not in warns:
                warns.append(message)
        warnings_col.append(warns)
    reports["party_id"] = ids
    reports["party"] = names
    reports["warnings"] = warnings_col
    reports["is_primary"] = primary_flags(reports, lines)
    return reports


def _content_key(reports: pd.DataFrame, lines: pd.DataFrame | None) -> pd.Series:
    """A fingerprint of each report's lines and total (to recognise copies of a report with no year)."""
    if lines is None or lines.empty:
        per = pd.Series(dtype=object)
    else:
        keyed = lines.assign(_k=[f"{g}|{c}|{round(float(a), 2)}" for g, c, a in
                                 zip(lines["group"], lines["code"], lines["amount"], strict=True)])
        per = keyed.groupby("report_id")["_k"].agg(lambda s: "/".join(sorted(s)))
    total = reports["total"] if "total" in reports.columns else pd.Series([None] * len(reports), index=reports.index)
    return pd.Series([identifiers.make_id(per.get(r, ""), t) for r, t in
                      zip(reports["report_id"], _plain(total), strict=True)], index=reports.index)


def primary_flags(reports: pd.DataFrame, lines: pd.DataFrame | None = None) -> pd.Series:
    """The one rule for ``is_primary`` (see the module docstring)."""
    if reports.empty:
        return pd.Series(dtype=bool)
    year = reports["year"]
    group_key = pd.Series(
        [f"{o}|{int(y)}" if not pd.isna(y) else None for o, y in zip(reports["org_id"], year, strict=True)],
        index=reports.index, dtype=object,
    )
    no_year = group_key.isna()
    if no_year.any():
        content = _content_key(reports[no_year], lines)
        group_key[no_year] = reports.loc[no_year, "org_id"] + "|no year|" + content
    submitted = reports["submitted"] if "submitted" in reports.columns else pd.Series(None, index=reports.index)
    order = pd.DataFrame({
        "key": group_key,
        "source": reports["source_kind"].map(_SOURCE_ORDER).fillna(len(_SOURCE_ORDER)),
        "kind": reports["kind"].map(_KIND_ORDER).fillna(len(_KIND_ORDER)) if "kind" in reports else 0,
        # later submission first: sort on the negated date text (missing dates last)
        "submitted": submitted.fillna("").astype(str),
        "report_id": reports["report_id"].astype(str),
    }, index=reports.index)
    order = order.sort_values(["key", "source", "kind", "submitted", "report_id"],
                              ascending=[True, True, True, False, True], kind="stable")
    first = ~order["key"].duplicated(keep="first")
    return first.reindex(reports.index).astype(bool)


DUPLICATE_PREFIX = "not counted: another file of this report"


def duplicate_warnings(reports: pd.DataFrame) -> list[list[str]]:
    """Each report's warnings, plus one on a report that is not counted because another file of
    the same source kind holds the same reporter-year (two PDFs of one report, two downloads): it
    names the file that is counted. The open-data copy of a PDF report is expected and gets none
    (``disagreements`` compares the two)."""
    primary = reports[reports["is_primary"].astype(bool) & reports["year"].notna()]
    counted = {(o, int(y), k): p for o, y, k, p in zip(primary["org_id"], primary["year"], primary["source_kind"],
                                                         primary["source_path"], strict=True)}
    out = []
    for warns, o, y, k, is_primary in zip(reports["warnings"], reports["org_id"], reports["year"],
                                         reports["source_kind"], reports["is_primary"], strict=True):
        warns = [w for w in (list(warns) if isinstance(warns, (list, np.ndarray)) else [])
                 if not str(w).startswith(DUPLICATE_PREFIX)]
        if not is_primary and not pd.isna(y) and (o, int(y), k) in counted:
            warns.append(f"{DUPLICATE_PREFIX} ({counted[(o, int(y), k)]}) is counted for {o} {int(y)}")
        out.append(warns)
    return out


def harmonise_contributions(contributions: pd.DataFrame) -> pd.DataFrame:
    """``contributions`` with ``donor_kind``, the code flags and ``address_key``."""
    c = contributions.copy()
    flags = code_flags(c) if len(c) else pd.DataFrame({f: pd.Series(dtype=bool) for f in CODE_FLAGS})
    for flag in CODE_FLAGS:
        c[flag] = flags[flag].to_numpy() if len(c) else pd.Series(dtype=bool)
    if len(c):
        map_kind = _codes(c).map(code_map()["donor_kind"])
        donor_id = c["donor_id"].astype(object)
        id_kind = pd.Series([_identity_kind(d) for d in _plain(donor_id)], index=c.index, dtype=object)
        read = c["donor_kind"].where(c["donor_kind"].isin(schema.DONOR_KINDS)) if "donor_kind" in c else None
        # anonymous by its code; a personnummer is a person whatever the code (privacy first);
        # then the code's kind, the organisationsnummer, and last what the reader said
        unnamed = c["donor"].isna() & c["donor_id"].isna()
        kind = map_kind.where((map_kind == "anonymous") & unnamed)
        kind = kind.where(kind.notna(), id_kind.where(id_kind == "person"))
        kind = kind.where(kind.notna(), map_kind.where(map_kind != "anonymous"))
        kind = kind.where(kind.notna(), id_kind)
        if read is not None:
            kind = kind.where(kind.notna(), read.where(read != "unknown"))
        c["donor_kind"] = kind.fillna("unknown")
        c["address_key"] = [address_key(a) for a in _plain(c["address"])] if "address" in c else None
    else:
        c["address_key"] = pd.Series(dtype=object)
    return c


def _identity_kind(donor_id: object) -> str | None:
    if not isinstance(donor_id, str) or not donor_id:
        return None
    if donor_id.startswith("pnr:"):
        return "person"
    return "organisation" if _valid_orgnr(donor_id) else None


def harmonise_lines(lines: pd.DataFrame) -> pd.DataFrame:
    lines = lines.copy()
    flags = code_flags(lines) if len(lines) else None
    for flag in CODE_FLAGS:
        lines[flag] = flags[flag].to_numpy() if flags is not None else pd.Series(dtype=bool)
    return lines


def _occurrence(keys: pd.Series) -> pd.Series:
    """0 for the first of equal keys, 1 for the second ... (in the frame's current order)."""
    return keys.groupby(keys, sort=False).cumcount()


def report_ids(reports: pd.DataFrame) -> pd.Series:
    """Content-based report ids (see the module docstring); PDF reports keep theirs."""
    out = reports["report_id"].astype(object).copy()
    od = reports[reports["source_kind"] == "opendata"]
    if len(od):
        # ties (two reports of one reporter-year) broken by content, never by a row number
        od = od.assign(_total=od["total"].fillna(-1.0) if "total" in od else -1.0)
        od = od.sort_values(["source_sha256", "org_number", "reporter_name", "_total"], kind="stable",
                            na_position="first")
        base = pd.Series([f"{o}|{'' if pd.isna(y) else int(y)}" for o, y in zip(od["org_id"], od["year"], strict=True)],
                         index=od.index)
        n = _occurrence(base)
        out.loc[od.index] = [identifiers.make_id("opendata", b, k) for b, k in zip(base, n, strict=True)]
    return out


def contribution_ids(contributions: pd.DataFrame, reports: pd.DataFrame) -> pd.Series:
    """Content-based contribution ids (see the module docstring)."""
    if contributions.empty:
        return contributions["contribution_id"].copy()
    rep = reports.drop_duplicates("report_id").set_index("report_id")
    c = contributions.assign(
        _pos=np.arange(len(contributions)),
        _primary=~contributions["report_id"].map(rep["is_primary"]).fillna(False).astype(bool),
        _org=contributions["report_id"].map(rep["org_id"]),
        _year=contributions["report_id"].map(rep["year"]),
    )
    c = c.sort_values(["_primary", "report_id", "_pos"], kind="stable")
    base = pd.Series([
        identifiers.make_id("contribution", o, y, code, _fold(d), i, dt, amt)
        for o, y, code, d, i, dt, amt in zip(
            _plain(c["_org"]), _plain(c["_year"]), _plain(c["code"]), _plain(c["donor"]),
            _plain(c["donor_id"]), _plain(c["date"]), _plain(c["amount"]), strict=True)
    ], index=c.index)
    n = _occurrence(base)
    ids = pd.Series([b if k == 0 else identifiers.make_id(b, k) for b, k in zip(base, n, strict=True)], index=c.index)
    return ids.reindex(contributions.index)


def harmonise(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The harmonised tables (see the module docstring); ``files.report_id`` follows the new ids."""
    tables = dict(tables)
    reports = tables.get("reports", schema.empty("reports"))
    lines = tables.get("lines", schema.empty("lines"))
    contributions = tables.get("contributions", schema.empty("contributions"))

    reports = harmonise_reports(reports)
    new_ids = report_ids(reports)
    renamed = dict(zip(reports["report_id"], new_ids, strict=True))
    reports["report_id"] = new_ids
    lines = lines.assign(report_id=lines["report_id"].map(lambda r: renamed.get(r, r)))
    contributions = contributions.assign(report_id=contributions["report_id"].map(lambda r: renamed.get(r, r)))
    # is_primary again: a report without a year compares its lines, now under the new ids
    reports["is_primary"] = primary_flags(reports, lines)
    reports["warnings"] = pd.Series(duplicate_warnings(reports), index=reports.index, dtype=object)
    contributions = harmonise_contributions(contributions)
    contributions["contribution_id"] = contribution_ids(contributions, reports)

    tables["reports"] = schema.conform(reports, "reports")
    tables["lines"] = schema.conform(harmonise_lines(lines), "lines")
    tables["contributions"] = schema.conform(contributions, "contributions")
    if "files" in tables and len(tables["files"]):
        files = tables["files"].copy()
        files["report_id"] = files["report_id"].map(lambda r: renamed.get(r, r) if isinstance(r, str) else r)
        tables["files"] = files
    return tables


def _complete(frame: pd.DataFrame | None, columns) -> bool:
    return frame is not None and all(c in frame.columns and not frame[c].isna().any() for c in columns)


def ensure(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` with the harmonised columns, derived here only where missing or null.

    Ids are left as they are (they are ``ingest``'s business); every other harmonised column comes
    from the same functions :func:`harmonise` uses, so every consumer gives the same answer.
    """
    tables = dict(tables)
    reports = tables.get("reports")
    lines = tables.get("lines")
    contributions = tables.get("contributions")
    if reports is not None and (not _complete(reports, ("org_id", "is_primary")) or "party_id" not in reports.columns):
        given = reports["is_primary"] if _complete(reports, ("is_primary",)) else None
        reports = harmonise_reports(reports, lines)
        if given is not None:  # a complete is_primary is the harmonised one already: kept
            reports["is_primary"] = given.astype(bool)
        tables["reports"] = reports
    if lines is not None and not _complete(lines, CODE_FLAGS):
        tables["lines"] = harmonise_lines(lines)
    if contributions is not None and not (_complete(contributions, CODE_FLAGS) and "address_key" in contributions.columns
                                          and not contributions["donor_kind"].isna().any()):
        tables["contributions"] = harmonise_contributions(contributions)
    return tables
