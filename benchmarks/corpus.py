"""A benchmark corpus of report PDFs made with the demo generator (fictional data only).

The demo corpus (``partifinans.demo.corpus``) has about fifty reports for one seed. For a corpus of
N files this takes the demo reports for seeds ``SEED, SEED+1, ...`` in turn, renders each with its
own layout and quirks (``partifinans.demo.render.render_pdf``) and, for copies after the first,
adds `` (korpus k)`` to the reporter's name so that every file is a distinct report of a distinct
reporter. Files go under ``benchmarks/work/`` (git-ignored). Rendering is deterministic, so a
corpus directory that is already complete is reused as it is.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from partifinans.demo import corpus as demo
from partifinans.demo.render import render_pdf


def _reports(n_files: int) -> list[tuple[str, object, dict]]:
    """(file name, DemoReport, report dict) for the first ``n_files`` files of the corpus."""
    out = []
    k = 0
    while len(out) < n_files:
        for d in demo.demo_reports(demo.SEED + k):
            if len(out) == n_files:
                break
            report = copy.deepcopy(d.report)
            if k:
                report["reporter"]["name"] = f"{report['reporter']['name']} (korpus {k})"
            out.append((f"k{k:03d}_{d.stem}.pdf", d, report))
        k += 1
    return out


def build_corpus(dest: Path, n_files: int) -> list[Path]:
    """Render ``n_files`` PDFs into ``dest`` (reused when already complete); returns their paths."""
    dest.mkdir(parents=True, exist_ok=True)
    done = dest / ".complete"
    items = _reports(n_files)
    paths = [dest / name for name, _, _ in items]
    if done.exists() and all(p.exists() for p in paths):
        return paths
    for (_name, d, report), path in zip(items, paths, strict=True):
        render_pdf(report, path, d.layout, d.quirks)
    done.write_text(f"{n_files}\n")
    return paths


def change_one(dest: Path, restore: bool = False) -> Path:
    """Re-render the first file of the corpus with its submission date one day later (or, with
    ``restore``, as it was): a real content change, the kind an amended report brings."""
    name, d, report = _reports(1)[0]
    report = copy.deepcopy(report)
    if not restore:
        submitted = report.get("submitted") or f"{report['year'] + 1}-06-01"
        report["submitted"] = (dt.date.fromisoformat(submitted) + dt.timedelta(days=1)).isoformat()
    path = dest / name
    render_pdf(report, path, d.layout, d.quirks)
    return path
