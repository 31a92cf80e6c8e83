"""The ingest contract: tables and columns, statuses, stable ids, incremental re-runs, failures recorded,
no personnummer in clear in the written Parquet files."""

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from partifinans import identifiers, pipeline, privacy, schema, store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDFS = ("wrapped_donor_name", "form2014", "anmalan", "total_mismatch")
PNR_SHAPED = privacy.PERSONNUMMER_LIKE  # standing alone: digits inside a hex id are no number


@pytest.fixture()
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTIFINANS_RAW", str(tmp_path))  # the one root of source paths: reports/... below it
    src = tmp_path / "reports"
    (src / "sub").mkdir(parents=True)
    for name in PDFS:
        shutil.copy(FIXTURES / f"{name}.pdf", src / "sub" / f"{name}.pdf")
    (src / "README.md").write_text("Inte en rapport.\n", encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really\n")
    shutil.copy(FIXTURES / "opendata" / "odd_rows.csv", src / "PartiinsynOpenData.csv")
    (src / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return src


@pytest.fixture()
def reading_only(monkeypatch):
    """Skip the later stages (reconcile, link, flags: tested on their own) where a test is about reading."""
    monkeypatch.setattr(pipeline, "_post_stages", lambda tables: tables)


def _ingest(src, out, jobs=1):
    return pipeline.ingest(src, out, jobs=jobs, progress=False)


def test_tables_columns_and_statuses(corpus, tmp_path):
    out = tmp_path / "out"
    summary = _ingest(corpus, out, jobs=2)  # the process pool path
    tables = store.read_tables(out)
    for name in ("files", "reports", "lines", "contributions"):
        assert list(tables[name].columns) == schema.columns(name)
    files = tables["files"].set_index("path")
    assert files.loc["reports/sub/form2014.pdf", "status"] == "parsed"
    assert files.loc["reports/sub/form2014.pdf", "layout"] == "form2014"
    assert files.loc["reports/sub/anmalan.pdf", "layout"] == "anmalan"
    assert files.loc["reports/PartiinsynOpenData.csv", "layout"] == "opendata"
    assert files.loc["reports/PartiinsynOpenData.csv", "status"] == "parsed"
    assert files.loc["reports/README.md", "status"] == "skipped"
    assert files.loc["reports/notes.csv", "status"] == "skipped"
    assert files.loc["reports/broken.pdf", "status"] == "failed"
    assert files.loc["reports/broken.pdf", "reason"] == "truncated PDF (no end-of-file marker)"
    assert (summary.failed, summary.skipped, summary.parsed) == (1, 2, 5)
    assert "1 failed" in summary.line() and "2 skipped" in summary.line()

    sha = files.loc["reports/sub/form2014.pdf", "sha256"]
    reports = tables["reports"].set_index("report_id")
    rid = sha[:16]
    assert files.loc["reports/sub/form2014.pdf", "report_id"] == rid
    r = reports.loc[rid]
    assert (r["source_kind"], bool(r["is_primary"]), r["year"], r["reporter_name"]) == (
        "pdf", True, 2016, "Liberalerna Riksorganisation Demo")
    assert r["org_number"] == "874943-6484" and bool(r["is_org_number_valid"])
    lines = tables["lines"][tables["lines"]["report_id"] == rid]
    assert lines["amount"].sum() == pytest.approx(34835700.22)
    assert set(lines["group"]) == {1, 2, 5, 6} and lines["code"].isna().all()
    mismatch = reports.loc[files.loc["reports/sub/total_mismatch.pdf", "report_id"]]
    assert any("difference 10000.00" in w for w in mismatch["warnings"])
    assert (tables["reports"]["source_kind"] == "opendata").sum() >= 1


def test_donors_kinds_and_pseudonyms(reading_only, corpus, tmp_path):
    out = tmp_path / "out"
    _ingest(corpus, out)
    tables = store.read_tables(out)
    c = tables["contributions"]
    pdf_ids = set(tables["reports"].loc[tables["reports"]["source_kind"] == "pdf", "report_id"])
    c = c[c["report_id"].isin(pdf_ids)].set_index("donor")
    anna = c.loc["Anna Maria Exempelsson Testberg"]
    assert anna["donor_kind"] == "person"
    assert anna["donor_id"].startswith("pnr:") and bool(anna["is_donor_id_valid"])
    assert c.loc["Påhittad Stiftelse för Demokratisk Framtid", "donor_kind"] == "organisation"
    assert c.loc["Påhittad Stiftelse för Demokratisk Framtid", "donor_id"] == "802111-2225"
    # the 2014 form has no codes: the kind comes from the identity number
    assert c.loc["Bertil Exempelsson", "donor_kind"] == "person"
    assert c.loc["Bertil Exempelsson", "donor_id"].startswith("pnr:")
    assert c.loc["Exempelförlaget Nordica AB", "donor_kind"] == "organisation"
    cash = tables["contributions"][tables["contributions"]["code"] == "4.1"]
    assert (cash.loc[cash["report_id"].isin(pdf_ids), "donor_kind"] == "anonymous").all()


def _all_text(out: Path) -> list[str]:
    texts = []
    for f in sorted(out.glob("*.parquet")):
        for col in pq.read_table(f).to_pylist():
            for v in col.values():
                if isinstance(v, list):
                    texts.extend(str(x) for x in v)
                elif v is not None:
                    texts.append(str(v))
    return texts


def test_no_personnummer_in_clear_anywhere(corpus, tmp_path):
    out = tmp_path / "out"
    _ingest(corpus, out)
    found = []
    for text in _all_text(out):
        for m in PNR_SHAPED.finditer(text):
            ident = identifiers.parse_identifier(m.group(0))
            if ident is not None and ident.kind == "pnr":
                found.append(m.group(0))
    assert found == []
    raw = b"".join(f.read_bytes() for f in out.glob("*.parquet"))
    assert b"18920304-5670" not in raw and b"189203045670" not in raw
    assert b"18991211-6341" not in raw


def test_ids_are_stable_across_runs(reading_only, corpus, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _ingest(corpus, a)
    _ingest(corpus, b, jobs=2)
    for name, key in (("reports", "report_id"), ("contributions", "contribution_id")):
        ta, tb = store.read_table(a, name), store.read_table(b, name)
        assert sorted(ta[key]) == sorted(tb[key])
        assert ta[key].is_unique
    ca = store.read_table(a, "contributions").sort_values("contribution_id").reset_index(drop=True)
    cb = store.read_table(b, "contributions").sort_values("contribution_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(ca, cb)


def test_incremental_rerun_parses_only_changed_files(reading_only, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    calls: list[str] = []
    real = pipeline._read_one

    def counting(path_str, *rest):
        calls.append(Path(path_str).name)
        return real(path_str, *rest)

    monkeypatch.setattr(pipeline, "_read_one", counting)
    first = _ingest(corpus, out)
    assert len(calls) == 8  # every file once (README and notes.csv are looked at, then skipped)
    before = store.read_tables(out)

    calls.clear()
    second = _ingest(corpus, out)
    assert calls == []
    assert second.reused == 8 and second.parsed == 0 and second.failed == first.failed
    # the reused files' null reasons stay null: the summary names only real warnings and failures
    assert second.notes == first.notes and not any(n.endswith(": nan") for n in second.notes)
    after = store.read_tables(out)
    for name in ("reports", "lines", "contributions"):
        key = {"reports": "report_id", "lines": "report_id", "contributions": "contribution_id"}[name]
        pd.testing.assert_frame_equal(
            before[name].sort_values([key] + (["code", "amount"] if name == "lines" else [])).reset_index(drop=True),
            after[name].sort_values([key] + (["code", "amount"] if name == "lines" else [])).reset_index(drop=True))

    # one file's content replaced: only it is read again
    shutil.copy(FIXTURES / "date_words.pdf", corpus / "sub" / "anmalan.pdf")
    calls.clear()
    third = _ingest(corpus, out)
    assert calls == ["anmalan.pdf"]
    assert third.parsed == 1 and third.reused == 7
    files = store.read_table(out, "files").set_index("path")
    assert files.loc["reports/sub/anmalan.pdf", "layout"] == "eservice_stacked"
    old_rid = before["files"].set_index("path").loc["reports/sub/anmalan.pdf", "report_id"]
    assert old_rid not in set(store.read_table(out, "reports")["report_id"])


def test_touched_but_unchanged_file_is_not_parsed(reading_only, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _ingest(corpus, out)
    target = corpus / "sub" / "form2014.pdf"
    target.write_bytes(target.read_bytes())  # new mtime, same bytes: recognised by its sha256
    calls = []
    real = pipeline._read_one
    monkeypatch.setattr(pipeline, "_read_one", lambda *a: calls.append(a) or real(*a))
    summary = _ingest(corpus, out)
    assert calls == [] and summary.reused == 8


def test_failure_keeps_the_batch_and_interrupted_run_keeps_previous_tables(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _ingest(corpus, out)
    good = store.read_tables(out)
    assert len(good["reports"]) > 0
    before = {f.name: f.read_bytes() for f in out.glob("*.parquet")}

    (corpus / "sub" / "new.pdf").write_bytes((FIXTURES / "landscape.pdf").read_bytes())

    def interrupted(tables):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_post_stages", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _ingest(corpus, out)
    assert {f.name: f.read_bytes() for f in out.glob("*.parquet")} == before
    assert not list(out.glob(".*tmp"))


def test_worker_exception_is_a_failed_file(reading_only, corpus, tmp_path, monkeypatch):
    from partifinans import extract

    real = extract.parse_pdf

    def flaky(path, *a, **k):
        if Path(path).name == "anmalan.pdf":
            raise RuntimeError("simulated crash in the reader")
        return real(path, *a, **k)

    monkeypatch.setattr(extract, "parse_pdf", flaky)
    out = tmp_path / "out"
    summary = _ingest(corpus, out)
    files = store.read_table(out, "files").set_index("path")
    assert files.loc["reports/sub/anmalan.pdf", "status"] == "failed"
    assert files.loc["reports/sub/anmalan.pdf", "reason"] == "RuntimeError: simulated crash in the reader"
    assert files.loc["reports/sub/form2014.pdf", "status"] == "parsed"
    assert summary.failed == 2


def test_missing_directory_is_a_user_error(tmp_path):
    from partifinans.errors import UserError

    with pytest.raises(UserError, match="no such directory"):
        _ingest(tmp_path / "nope", tmp_path / "out")


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("identity number 18920304-5670 fails", "pnr:", id="pnr-12"),
        pytest.param("line '920304-5670 Anna'", "pnr:", id="pnr-10"),
        pytest.param("orgnr 802111-2225 stays", "802111-2225", id="orgnr-kept"),
        pytest.param("total 1234567890 kr", "1234567890", id="not-a-date-kept"),
    ],
)
def test_scrub(text, expected):
    assert expected in privacy.pseudonymise_text(text)


def test_moved_file_keeps_its_rows_under_the_new_path(reading_only, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _ingest(corpus, out)
    rid = store.read_table(out, "files").set_index("path").loc["reports/sub/form2014.pdf", "report_id"]
    (corpus / "sub" / "form2014.pdf").rename(corpus / "kam11001_2016.pdf")
    calls = []
    real = pipeline._read_one
    monkeypatch.setattr(pipeline, "_read_one", lambda *a: calls.append(a) or real(*a))
    _ingest(corpus, out)
    assert calls == []
    files = store.read_table(out, "files").set_index("path")
    assert "reports/sub/form2014.pdf" not in files.index
    assert files.loc["reports/kam11001_2016.pdf", "report_id"] == rid
    reports = store.read_table(out, "reports").set_index("report_id")
    assert reports.loc[rid, "source_path"] == "reports/kam11001_2016.pdf"


def test_unchanged_rerun_repeats_neither_stages_nor_writes(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    manual = tmp_path / "manual"
    manual.mkdir()
    monkeypatch.setenv("PARTIFINANS_MANUAL", str(manual))
    first = _ingest(corpus, out)
    written = {f.name: f.stat().st_mtime_ns for f in out.glob("*.parquet")}
    stages = []
    real = pipeline._post_stages
    monkeypatch.setattr(pipeline, "_post_stages", lambda tables: stages.append(1) or real(tables))

    second = _ingest(corpus, out)
    assert stages == []
    assert {f.name: f.stat().st_mtime_ns for f in out.glob("*.parquet")} == written
    assert (second.reports, second.contributions) == (first.reports, first.contributions)

    # a new human judgement changes what linkage may do: the stages run again, nothing is re-read
    (manual / "judgements.csv").write_text(
        "left,right,judgement,who,when,note\nx1,x2,different,test,2026-11-27,\n", encoding="utf-8"
    )
    third = _ingest(corpus, out)
    assert stages == [1] and third.parsed == 0

    # a run whose stamp is gone (killed while writing) does the stages again
    stages.clear()
    (out / pipeline.STAMP).unlink()
    _ingest(corpus, out)
    assert stages == [1]
