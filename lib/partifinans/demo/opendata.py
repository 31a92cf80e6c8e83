"""The fictional demo open-data file: ``data/raw/demo/PartiinsynOpenData.csv`` in the real format.

It imitates Kammarkollegiet's ``PartiinsynOpenData.csv`` (UTF-16 LE with byte-order mark, tabs,
decimal comma, a trailing tab; see ``extract/opendata.py``) and holds:

- the demo organisation-years marked ``in_opendata`` in the demo corpus (``demo/corpus.py``):
  their lines and gifts as the PDF has them, except that ``opendata_change = (group, delta)``
  adds ``delta`` kronor to the first line of that group (the planted ``source_disagreement``).
  Private persons' names are withheld as in the real file (``Privat bidrag Pengar`` / ``Övrigt``);
- a handful of other invented organisations, 2018-2024, every type on a row and most of them zero,
  with steady amounts so they trip no detector (a few gifts over 0.5 pbb, each well under half of
  the organisation's non-public income, from donors that give to no one else).

Deterministic (fixed seed, no clock). Regenerate with
``python -m partifinans.demo.opendata --out data/raw/demo``; ``tests/extract/test_opendata.py``
checks the committed file equals a fresh run.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pandas as pd
from stdnum import luhn

from .. import law, schema
from ..export.opendata import write_opendata_csv
from ..extract.opendata import income_types
from ..harmonise import code_map
from . import corpus

FILENAME = "PartiinsynOpenData.csv"
SEED = 2024
YEARS = range(2018, 2025)
GROUP_LABELS = schema.GROUP_NAMES
FORM_WORDS = {"pengar": "Pengar", "varor": "Varor", "tjänster": "Tjänster", "övrigt": "Övrigt"}
NO_PARTY = ("999999", "Utan partibeteckning")

# Other organisations: (name, party, level, area, base amounts by type code in SEK)
OTHERS = [
    ("Centerpartiet i Låtsasby", "Centerpartiet", "kommun", "Låtsasby",
     {"1.4": 96_000, "2.1": 41_000, "3.1": 30_000, "5.1": 1_800, "5.3": 14_000, "6.1": 1_200}),
    ("Socialdemokraterna i Fiktivhamn", "Socialdemokraterna", "kommun", "Fiktivhamn",
     {"1.4": 310_000, "2.1": 38_000, "3.1": 22_000, "3.3": 4_000, "5.1": 2_600, "5.3": 9_800, "5.5": 20_000}),
    ("Moderaterna Region Testland", "Moderaterna", "region", "Region Testland",
     {"1.4": 1_220_000, "2.1": 57_000, "3.1": 19_000, "5.1": 4_100, "5.3": 26_000, "5.6": 21_000, "6.1": 3_300}),
    ("Kristdemokraterna i Exempelvik", "Kristdemokraterna", "kommun", "Exempelvik",
     {"1.4": 74_000, "2.1": 9_500, "3.1": 3_200, "5.1": 900, "5.3": 4_600}),
    ("Lokala Påhittlistan", None, "kommun", "Påhittby",
     {"1.4": 48_000, "2.1": 6_200, "3.1": 2_500, "5.1": 700}),
]
# Gifts over 0.5 pbb in the other organisations: (organisation index, year, code, donor or None, form)
OTHER_GIFTS = [
    (0, 2022, "5.7", "Exempelbyggarna i Låtsasby AB", "pengar"),
    (1, 2019, "5.7", "Påhittad Tryckeri AB", "tjänster"),
    (1, 2023, "5.4", None, "pengar"),
    (2, 2021, "5.7", "Låtsas Fastighetsförvaltning AB", "pengar"),
    (2, 2024, "5.4", None, "övrigt"),
]
LEVEL_COLUMN = {"kommun": "is_kommun", "region": "is_region", "riks": "is_riks", "eu": "is_eu"}


def party_ids() -> dict[str, str]:
    """Party name -> open-data party id, from ``maps/parties.csv`` (the one party map)."""
    from ..harmonise import party_map

    return dict(zip(party_map()["name"], party_map()["party_id"], strict=True))


def _type_rows() -> list[tuple[str, int, str]]:
    types = income_types()
    return [(c, int(g), lbl) for c, g, lbl in zip(types["code"], types["group"], types["label"], strict=True)]


def _label(code: str, year: int, fallback: str) -> str:
    try:
        return corpus.type_label(code, year)
    except KeyError:
        return fallback


def _description(c: dict) -> str:
    """A type description as the open data writes it: ``Name (number) Form``; private persons withheld."""
    form = FORM_WORDS.get(c.get("form") or "pengar", "Pengar")
    donor, number = c.get("donor"), c.get("donor_id")
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    is_person_number = len(digits) in (10, 12) and int(digits[-8:-6]) < 20  # month where an orgnr has >= 20
    codes = code_map()
    if (c["code"] in codes.index and codes.loc[c["code"], "donor_kind"] == "person") or is_person_number:
        return f"Privat bidrag {'Pengar' if form == 'Pengar' else 'Övrigt'}"
    if donor is None:
        if c["code"] in codes.index and codes.loc[c["code"], "is_collection"]:
            return f"Insamling av kontanter {c['date']} {form}" if c.get("date") else f"Insamling av kontanter {form}"
        return f"Anonymt bidrag {form}"
    return f"{donor} ({number}) {form}" if number else f"{donor} {form}"


def _org_columns(name, org_number, party, level, area) -> dict:
    pid, pname = (party_ids()[party], party) if party else NO_PARTY
    cols = {"org_number": org_number, "reporter_name": name, "party_id": pid, "party_name": pname}
    cols[LEVEL_COLUMN[level]] = "Ja"
    if level == "kommun":
        cols["kommun"] = area
    elif level == "region":
        cols["region"] = area
    return cols


def _report_rows(year: int, org: dict, amounts: dict[str, float], items: list[dict]) -> list[dict]:
    rows = []
    for code, group, fallback in _type_rows():
        base = org | {"year": year, "group_code": str(group), "group_label": GROUP_LABELS[group],
                      "type_code": code, "type_label": _label(code, year, fallback)}
        mine = [c for c in items if c["code"] == code]
        if mine:
            total = sum(c["amount"] for c in mine)
            if abs(total - amounts.get(code, 0.0)) > 0.005:
                raise ValueError(f"{org['reporter_name']} {year} {code}: gifts {total} != line {amounts.get(code)}")
            rows += [base | {"description": _description(c), "amount": c["amount"]} for c in mine]
        else:
            rows.append(base | {"description": "", "amount": float(amounts.get(code, 0.0))})
    return rows


def _covered_rows(reports: list[corpus.DemoReport]) -> list[dict]:
    rows = []
    for d in reports:
        if not d.in_opendata:
            continue
        r = d.report
        rep = r["reporter"]
        amounts: dict[str, float] = {}
        for ln in r["lines"]:
            amounts[ln["code"]] = amounts.get(ln["code"], 0.0) + ln["amount"]
        if d.opendata_change:
            group, delta = d.opendata_change
            code = next(ln["code"] for ln in r["lines"] if ln["group"] == group)
            amounts[code] += delta
        org = _org_columns(rep["name"], rep["org_number"], rep["party"], rep["level"], rep["area"])
        rows += _report_rows(r["year"], org, amounts, r["contributions"])
    return rows


def _orgnr(rng: random.Random, first: str, taken: set[str]) -> str:
    while True:
        base = first + "".join(str(rng.randint(0, 9)) for _ in range(8))
        if int(base[2:4]) < 20:  # keep the third-fourth digits >= 20 (an organisationsnummer's)
            continue
        number = f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"
        if number not in taken:
            taken.add(number)
            return number


def _other_rows(reports: list[corpus.DemoReport], seed: int) -> list[dict]:
    rng = random.Random(seed)
    taken = {d.report["reporter"]["org_number"] for d in reports if d.report["reporter"].get("org_number")}
    taken |= {c["donor_id"] for d in reports for c in d.report["contributions"] if c.get("donor_id")}
    rows = []
    for i, (name, party, level, area, base) in enumerate(OTHERS):
        org = _org_columns(name, _orgnr(rng, "8", taken), party, level, area)
        gifts = {(y, code): (donor, form) for j, y, code, donor, form in OTHER_GIFTS if j == i}
        donors = {d: _orgnr(rng, "5", taken) for (_, _), (d, _) in gifts.items() if d}
        for year in YEARS:
            amounts = {code: float(max(100, round(v * rng.uniform(0.92, 1.08) / 100) * 100))
                       for code, v in base.items()}
            items = []
            for (y, code), (donor, form) in gifts.items():
                if y != year:
                    continue
                # just over 0.5 pbb, at most about a third of the non-public income (groups 3-6, 8)
                amount = float(-(-law.threshold(year, "identity") * rng.uniform(1.02, 1.15) // 500) * 500)
                items.append({"code": code, "donor": donor, "donor_id": donors.get(donor), "form": form,
                              "date": None, "amount": amount})
                amounts[code] = amounts.get(code, 0.0) + amount
            rows += _report_rows(year, org, amounts, items)
    return rows


def demo_opendata_rows(seed: int = SEED) -> pd.DataFrame:
    """The demo file's rows (canonical column names of ``extract.opendata``)."""
    reports = corpus.demo_reports()
    rows = _covered_rows(reports) + _other_rows(reports, seed)
    return pd.DataFrame(rows)


def write_demo_opendata(out: Path | str, seed: int = SEED) -> Path:
    """Write ``<out>/PartiinsynOpenData.csv``; returns its path."""
    return write_opendata_csv(demo_opendata_rows(seed), Path(out) / FILENAME)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="write the fictional demo open-data file")
    p.add_argument("--out", default="data/raw/demo")
    args = p.parse_args(argv)
    print(write_demo_opendata(Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
