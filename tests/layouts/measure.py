"""Per-axis accuracy of the reader on generated layouts: which layout choices it gets wrong.

    python tests/layouts/measure.py --n 200 --seed 1     # a Markdown table on stdout

For every value of every axis of `generator.AXES_DOC`: how many variants drew it, the share of
those read with every field right, and the field accuracy over them. Also the overall numbers
and the variants with a wrong field but no warning or low confidence (silent wrong values).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

if __package__ != "layouts":  # run as a script or as tests.layouts.measure: make `layouts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layouts import generator  # noqa: E402
from layouts.score import score_pdf  # noqa: E402


def measure(seeds, force=None, vocab=None):
    """[(variant, FileScore)] for the given seeds."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            v, pdf, truth = generator.generate_variant(seed, force, vocab)
            out.append((v, score_pdf(v.file_name, pdf, truth, Path(tmp))))
    return out


def table(results) -> str:
    ok = sum(f.ok for _, f in results)
    total = sum(f.total for _, f in results)
    perfect = sum(not f.miss for _, f in results)
    silent = [f.name for _, f in results if f.silent_wrong]
    failed = sum(f.error is not None for _, f in results)
    lines = [f"{len(results)} variants: field accuracy {ok / total:.3f} ({ok}/{total}), "
             f"{perfect} read with every field right, {failed} refused or crashed, "
             f"{len(silent)} with a silent wrong value", "",
             "| axis | value | variants | every field right | field accuracy | most missed |",
             "|---|---|---:|---:|---:|---|"]
    for axis in generator.AXES_DOC:
        groups = defaultdict(list)
        for v, f in results:
            groups[v.axes[axis]].append(f)
        for value, fs in sorted(groups.items()):
            a_ok, a_total = sum(f.ok for f in fs), sum(f.total for f in fs)
            misses = defaultdict(int)
            for f in fs:
                for m in set(f.miss):
                    misses[m] += 1
            top = ", ".join(f"{m} ({n})" for m, n in sorted(misses.items(), key=lambda kv: -kv[1])[:3])
            lines.append(f"| {axis} | {value} | {len(fs)} | {sum(not f.miss for f in fs) / len(fs):.2f} | "
                         f"{a_ok / a_total if a_total else 0:.3f} | {top} |")
    return "\n".join(lines)


def _commit(*paths) -> str:
    """The last commit that changed `paths`, with '+ uncommitted changes' when the tree differs."""
    root = Path(__file__).resolve().parents[2]
    git = ["git", "-C", str(root)]
    try:
        head = subprocess.run(git + ["log", "-1", "--format=%h", "--", *paths], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--", *paths], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")


def add_to_readme(readme: Path, body: str, seeds: range, note: str = "", reader: str | None = None) -> None:
    """Put a dated measurement first under the README's 'Measurements' heading."""
    import partifinans

    where = Path(partifinans.__file__).resolve().parent
    if reader is None:
        reader = _commit("lib/partifinans/extract", "lib/partifinans/maps")
        if where != Path(__file__).resolve().parents[2] / "lib" / "partifinans":
            reader = f"imported from {where}"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"### {now}, reader {reader}, generator {_commit('tests/layouts/generator.py')}, "
               f"seeds {seeds.start}-{seeds.stop - 1}\n\n" + (note + "\n\n" if note else "") + body + "\n\n")
    text = readme.read_text(encoding="utf-8")
    marker = "## Measurements (newest first)\n"
    head, _, rest = text.partition(marker)
    intro, sep, older = rest.partition("### ")
    # older measurements keep their heading, note and summary; their tables stay in git history
    older = "\n".join(
        line + (" (table left out; see git history)" if " variants: field accuracy " in line
                and not line.endswith("history)") else "")
        for line in older.splitlines() if not line.startswith("|"))
    older = re.sub(r"\n{3,}", "\n\n", older).rstrip() + "\n"
    readme.write_text(head + marker + intro + section + sep + older, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--misses", action="store_true", help="also list every variant with a missed field")
    ap.add_argument("--readme", type=Path, help="also put the table, dated, into this README's measurements")
    ap.add_argument("--note", default="", help="a sentence to go with the table in the README")
    ap.add_argument("--reader", help="how to name the reader measured (default: the last commit of extract/)")
    a = ap.parse_args(argv)
    seeds = range(a.seed, a.seed + a.n)
    results = measure(seeds)
    print(table(results))
    if a.readme:
        add_to_readme(a.readme, table(results), seeds, a.note, a.reader)
    if a.misses:
        print()
        for _, f in results:
            if f.miss:
                print(f.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
