"""Ids and results that do not move: the demo corpus ingested twice, and with every PDF copied.

- Renamed files, another order, an unrelated file, and the open-data file with its rows shuffled:
  the same ``report_id``s, ``contribution_id``s and entity ids, each id on the same content, and a
  human judgement in ``judgements.csv`` still joins the same two donors.
- A second folder holding a copy of every demo PDF (byte-identical, and re-saved with other bytes):
  no total, party sum or flag changes.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from partifinans import analysis, pipeline, store

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"
OPENDATA = "PartiinsynOpenData.csv"


def _shuffled_opendata(src: Path, dst: Path, seed: int = 7) -> None:
    """The open-data file with its data rows in another order (header and encoding kept)."""
    raw = src.read_bytes()
    assert raw[:2] == b"\xff\xfe"
    text = raw[2:].decode("utf-16-le")
    header, *rows = text.split("\r\n")
    tail = rows.pop() if rows and rows[-1] == "" else None
    random.Random(seed).shuffle(rows)
    out = "\r\n".join([header, *rows]) + ("\r\n" if tail is not None else "")
    dst.write_bytes(b"\xff\xfe" + out.encode("utf-16-le"))


def _ingest(src: Path, out: Path) -> dict[str, pd.DataFrame]:
    pipeline.ingest(src, out, jobs=2, progress=False)
    return store.read_tables(out)


def _content(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each contribution's id beside what it is: reporter, year, code, donor, amount (file names left out)."""
    rep = tables["reports"].set_index("report_id")
    c = tables["contributions"]
    return pd.DataFrame({
        "contribution_id": c["contribution_id"], "report_id": c["report_id"],
        "org_id": c["report_id"].map(rep["org_id"]), "year": c["report_id"].map(rep["year"]),
        "code": c["code"], "donor": c["donor"], "donor_id": c["donor_id"], "amount": c["amount"],
        "entity_id": c["entity_id"],
    }).sort_values("contribution_id").reset_index(drop=True)


def _flags(tables: dict[str, pd.DataFrame]) -> list[tuple]:
    """The flags without their evidence paths (those name the files, which were renamed or copied)."""
    out = []
    for f in tables["flags"].to_dict("records"):
        orgs = json.dumps(json.loads(f["organisations"]), sort_keys=True, ensure_ascii=False)
        donors = json.dumps(json.loads(f["donors"]), sort_keys=True, ensure_ascii=False)
        amount = None if pd.isna(f["amount"]) else round(float(f["amount"]), 2)
        out.append((f["pattern"], f["severity"], f["year"], f["party"], amount, orgs, donors))
    return sorted(out, key=repr)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("first")
    src = base / "raw"
    shutil.copytree(DEMO, src)
    manual = base / "manual"
    manual.mkdir()
    return base, src, manual


def _judge(manual: Path, left: str, right: str) -> None:
    (manual / "judgements.csv").write_text(
        "left,right,judgement,who,when,note\n"
        f"record:{left},record:{right},same,test,2026-01-01,two printings a human knows are one donor\n",
        encoding="utf-8",
    )


def test_demo_ingested_twice_keeps_every_id_and_judgement(first_run, tmp_path, monkeypatch):
    base, src, manual = first_run
    monkeypatch.setenv("PARTIFINANS_MANUAL", str(manual))
    a = _ingest(src, base / "out-a0")
    # a human joins two donors printed without an identity number that the matcher kept apart
    c = a["contributions"]
    orgs = c[c["donor"].notna() & c["donor_id"].isna() & c["entity_id"].notna()].drop_duplicates("entity_id")
    orgs = orgs.sort_values(["donor", "contribution_id"])
    left, right = orgs.iloc[0], orgs.iloc[1]
    assert left["entity_id"] != right["entity_id"]
    _judge(manual, left["contribution_id"], right["contribution_id"])
    a = _ingest(src, base / "out-a")

    # the same corpus: renamed, in another folder layout and order, an unrelated file, rows shuffled
    other = tmp_path / "raw-b"
    (other / "z").mkdir(parents=True)
    (other / "a").mkdir()
    for i, path in enumerate(sorted(DEMO.glob("*.pdf"), reverse=True)):
        folder = "a" if i % 2 else "z"
        shutil.copy(path, other / folder / f"{i:03d}-{path.stem[::-1]}.pdf")
    _shuffled_opendata(DEMO / OPENDATA, other / "a" / "nedladdad-igen.csv")
    (other / "z" / "anteckningar.txt").write_text("not a report\n", encoding="utf-8")
    b = _ingest(other, tmp_path / "out-b")

    assert set(a["reports"]["report_id"]) == set(b["reports"]["report_id"])
    assert len(a["contributions"]) == len(b["contributions"]) == a["contributions"]["contribution_id"].nunique()
    pd.testing.assert_frame_equal(_content(a), _content(b))  # every id on the same content, same entity
    assert set(a["entities"]["entity_id"]) == set(b["entities"]["entity_id"])
    assert _flags(a) == _flags(b)
    for tables in (a, b):
        links = tables["links"].set_index("contribution_id")
        assert "judgement_same" in {links.loc[left["contribution_id"], "rule"], links.loc[right["contribution_id"], "rule"]}
        by_id = tables["contributions"].set_index("contribution_id")
        assert by_id.loc[left["contribution_id"], "donor"] == left["donor"]
        assert by_id.loc[right["contribution_id"], "donor"] == right["donor"]
        assert by_id.loc[left["contribution_id"], "entity_id"] == by_id.loc[right["contribution_id"], "entity_id"]


def test_shuffled_opendata_keeps_its_ids(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    shutil.copy(DEMO / OPENDATA, one / OPENDATA)
    _shuffled_opendata(DEMO / OPENDATA, two / OPENDATA, seed=11)
    assert (one / OPENDATA).read_bytes() != (two / OPENDATA).read_bytes()
    a, b = _ingest(one, tmp_path / "out-one"), _ingest(two, tmp_path / "out-two")
    assert len(a["reports"]) > 10 and len(a["contributions"]) > 5
    assert sorted(a["reports"]["report_id"]) == sorted(b["reports"]["report_id"])
    pd.testing.assert_frame_equal(_content(a), _content(b))
    lines = ["report_id", "group", "code", "amount"]
    pd.testing.assert_frame_equal(a["lines"][lines].sort_values(lines).reset_index(drop=True),
                                  b["lines"][lines].sort_values(lines).reset_index(drop=True))


def test_copies_of_every_pdf_change_no_total_party_sum_or_flag(first_run, tmp_path, monkeypatch):
    base, src, manual = first_run
    monkeypatch.setenv("PARTIFINANS_MANUAL", str(tmp_path / "no-judgements"))
    a = _ingest(src, tmp_path / "out-a")
    doubled = tmp_path / "raw"
    shutil.copytree(DEMO, doubled / "demo")
    (doubled / "kopior").mkdir()
    (doubled / "sparade-igen").mkdir()
    pdfs = sorted(DEMO.glob("*.pdf"))
    for path in pdfs:
        shutil.copy(path, doubled / "kopior" / path.name)  # the same bytes
        # the same report saved again: other bytes (a comment after %%EOF), the same content
        (doubled / "sparade-igen" / path.name).write_bytes(path.read_bytes() + b"\n% sparad igen\n")
    b = _ingest(doubled, tmp_path / "out-b")

    n = len(pdfs)
    assert (b["files"]["status"] == "skipped").sum() - (a["files"]["status"] == "skipped").sum() == n
    assert len(b["reports"]) == len(a["reports"]) + n  # the re-saved copies are read ...
    assert b["reports"]["is_primary"].sum() == a["reports"]["is_primary"].sum()  # ... and not counted,
    not_counted = b["reports"][~b["reports"]["is_primary"].astype(bool) & (b["reports"]["source_kind"] == "pdf")]
    assert len(not_counted) == n  # ... each saying so and naming the file that is counted
    counted = set(b["reports"].loc[b["reports"]["is_primary"].astype(bool), "source_path"])
    for ws in not_counted["warnings"]:
        named = [w for w in ws if w.startswith("not counted: another file of this report (")]
        assert len(named) == 1 and named[0].split("(", 1)[1].split(")", 1)[0] in counted
    pd.testing.assert_frame_equal(analysis.income_by_group(a), analysis.income_by_group(b))
    totals = ["org_id", "year", "total"]
    pa_ = analysis.primary_reports(a)[totals].sort_values(totals).reset_index(drop=True)
    pb_ = analysis.primary_reports(b)[totals].sort_values(totals).reset_index(drop=True)
    pd.testing.assert_frame_equal(pa_, pb_)
    assert _flags(a) == _flags(b)
    assert len(_flags(a)) >= 14
