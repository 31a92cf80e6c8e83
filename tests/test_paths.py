"""Source paths: stored relative to one root (the raw directory), printed so they open from where the
user stands (config.stored_source_path, source_file, display_path)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from partifinans import cli, config, pipeline, store

FIXTURE = Path(__file__).parent / "fixtures" / "amount_formats.pdf"


@pytest.fixture
def raw(tmp_path, monkeypatch):
    raw = tmp_path / "data" / "raw"
    (raw / "demo").mkdir(parents=True)
    shutil.copy(FIXTURE, raw / "demo" / "a.pdf")
    monkeypatch.setenv("PARTIFINANS_RAW", str(raw))
    return raw


def test_the_same_file_has_the_same_path_however_ingest_was_called(raw, tmp_path):
    pipeline.ingest(raw, tmp_path / "out1", jobs=1, progress=False)
    pipeline.ingest(raw / "demo", tmp_path / "out2", jobs=1, progress=False)
    for out in ("out1", "out2"):
        assert store.read_table(tmp_path / out, "files")["path"].tolist() == ["demo/a.pdf"]
        assert store.read_table(tmp_path / out, "reports")["source_path"].tolist() == ["demo/a.pdf"]


def test_a_file_outside_the_raw_directory_is_stored_with_its_absolute_path(raw, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(FIXTURE, elsewhere / "b.pdf")
    assert config.stored_source_path(elsewhere / "b.pdf") == (elsewhere / "b.pdf").resolve().as_posix()
    assert config.source_file((elsewhere / "b.pdf").resolve().as_posix()) == (elsewhere / "b.pdf").resolve()


def test_display_path_opens_from_the_current_directory(raw, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert config.display_path("demo/a.pdf") == "data/raw/demo/a.pdf"
    monkeypatch.chdir(raw / "demo")
    assert config.display_path("demo/a.pdf") == "a.pdf"
    monkeypatch.chdir(tmp_path.parent)
    assert config.display_path("demo/a.pdf") == f"{tmp_path.name}/data/raw/demo/a.pdf"
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert config.display_path("demo/a.pdf") == (raw / "demo" / "a.pdf").resolve().as_posix()


def test_flags_prints_evidence_paths_that_open(raw, tmp_path, monkeypatch, capsys):
    """The file the flag cites can be opened with the path as printed, from where the user stands."""
    from partifinans.demo.corpus import demo_reports
    from partifinans.demo.render import render_pdf

    flagged = next(d for d in demo_reports() if d.stem == "2022_miljopartiet-fiktiva")
    render_pdf(flagged.report, raw / "demo" / f"{flagged.stem}.pdf", flagged.layout, flagged.quirks)
    pipeline.ingest(raw, tmp_path / "processed", jobs=1, progress=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["flags", str(tmp_path / "processed"), "--party", "MP"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Evidence:" in x)
    path = line.split("Evidence:")[1].strip().rsplit(" p. ", 1)[0]
    assert path == "data/raw/demo/2022_miljopartiet-fiktiva.pdf" and Path(path).exists()
