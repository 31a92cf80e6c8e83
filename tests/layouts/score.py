"""Field-by-field scoring of the PDF reader against a corpus with a `truth.json`.

A port of the scorer shipped with the foreign layout corpora (its `score.py`, standard library
only, which runs `partifinans parse` in a subprocess): the same fields, the same matching of
itemised contributions, the same tolerances, but `partifinans.extract.parse_pdf` is called
in-process so that the test suite needs no installed executable and runs faster.

`truth.json` holds, per file: kind, year, org_number, reporter_name, total (or null), groups (the
sum of the income lines per group), submitted (or null) and contributions (group, donor, donor_id,
amount, date). Identity numbers compare on their last ten digits, names case-insensitively with
whitespace collapsed, amounts within half a krona.

Also a command line, for corpora outside the tests (the generator's output, a held-out set):
`python tests/layouts/score.py CORPUS_DIR [--min 0.97]`.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path


def norm(s):
    if s is None:
        return None
    s = unicodedata.normalize("NFC", str(s))
    return re.sub(r"\s+", " ", s).strip().casefold()


def digits(s):
    """The last ten digits of an identity number (16-/18-/19-prefixes and separators ignored)."""
    return re.sub(r"\D", "", s)[-10:] if s else None


def close(a, b, tol=0.51):
    try:
        return a is not None and b is not None and abs(float(a) - float(b)) <= tol
    except (TypeError, ValueError):
        return False


def n_fields(want: dict) -> int:
    """The number of fields a file is scored on when the reader returns nothing for it."""
    return 6 + len(want["groups"]) + 5 * len(want["contributions"])


def score_file(got: dict, want: dict) -> tuple[int, int, list[str]]:
    """(fields right, fields scored, names of the fields missed) for one parsed file."""
    ok = total = 0
    miss: list[str] = []

    def check(name, cond):
        nonlocal ok, total
        total += 1
        if cond:
            ok += 1
        else:
            miss.append(name)

    rep = got.get("reporter") or {}
    check("kind", norm(got.get("kind")) == norm(want["kind"]))
    check("year", got.get("year") == want["year"])
    check("org_number", digits(rep.get("org_number")) == digits(want["org_number"]))
    check("reporter_name", norm(rep.get("name")) == norm(want["reporter_name"]))
    if want["submitted"]:
        check("submitted", got.get("submitted") == want["submitted"])
    if want["total"] is not None:
        check("total", close(got.get("total"), want["total"]))
    groups: dict[str, float] = {}
    for line in got.get("lines") or []:
        g = str(line.get("group"))
        groups[g] = groups.get(g, 0.0) + float(line.get("amount") or 0)
    for g, amount in want["groups"].items():
        check(f"group{g}", close(groups.get(g), amount))
    # contributions: match each wanted item to the closest unused parsed item
    pool = list(got.get("contributions") or [])
    for w in want["contributions"]:
        best, best_hits = None, -1
        for i, c in enumerate(pool):
            hits = (
                close(c.get("amount"), w["amount"]) * 2
                + (digits(c.get("donor_id")) == digits(w["donor_id"]) and w["donor_id"] is not None)
                + (norm(c.get("donor")) == norm(w["donor"]) and w["donor"] is not None)
                + (c.get("date") == w["date"])
            )
            if hits > best_hits:
                best, best_hits = i, hits
        c = pool.pop(best) if best is not None and best_hits >= 2 else {}
        check("item.amount", close(c.get("amount"), w["amount"]))
        check("item.date", c.get("date") == w["date"])
        check("item.group", str(c.get("group")) == str(w["group"]))
        if w["donor"] is not None:
            check("item.donor", norm(c.get("donor")) == norm(w["donor"]))
        if w["donor_id"] is not None:
            check("item.donor_id", digits(c.get("donor_id")) == digits(w["donor_id"]))
    check("no_extra_items", len(pool) == 0)
    return ok, total, miss


def flagged(got: dict) -> bool:
    """Whether the reader told the user to look at this file: a warning or a low confidence.

    A parse without a `confidence` key counts as confidence 'high'."""
    return bool(got.get("warnings")) or (got.get("confidence") or "high") == "low"


@dataclass
class FileScore:
    name: str
    ok: int
    total: int
    miss: list[str]
    error: str | None = None  # the reader refused or crashed on the file
    flagged: bool = False  # a warning or low confidence was given
    got: dict | None = None

    @property
    def silent_wrong(self) -> bool:
        """A wrong field without a warning or a low confidence (a refusal is not silent)."""
        return self.error is None and bool(self.miss) and not self.flagged

    def line(self) -> str:
        if self.error is not None:
            return f"{self.name}: failed: {self.error}"
        head = f"{self.name}: {self.ok}/{self.total}"
        if self.miss:
            head += "  missed: " + ", ".join(sorted(set(self.miss)))
            head += "" if self.flagged else "  (SILENT: no warning, confidence not low)"
        return head


@dataclass
class CorpusScore:
    files: list[FileScore] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(f.ok for f in self.files)

    @property
    def total(self) -> int:
        return sum(f.total for f in self.files)

    @property
    def accuracy(self) -> float:
        return self.ok / self.total if self.total else 0.0

    def report(self, only_misses: bool = False) -> str:
        lines = [f.line() for f in self.files if not only_misses or f.miss or f.error]
        failed = sum(f.error is not None for f in self.files)
        lines.append(
            f"parse accuracy {self.accuracy:.3f} ({self.ok}/{self.total} fields, {failed} files failed)"
        )
        return "\n".join(lines)


def parse(path: Path) -> dict:
    """The reader's parse of one PDF, as the `parse` command prints it (a JSON-able dict)."""
    from partifinans.extract import parse_pdf

    got = parse_pdf(path)
    if not isinstance(got, dict):  # a report object: its JSON form is what the scorer reads
        got = json.loads(json.dumps(got, default=lambda o: getattr(o, "__dict__", str(o))))
    return got


def score_pdf(name: str, data_or_path, want: dict, tmp_dir: Path | None = None) -> FileScore:
    """Score one file given as a path or as PDF bytes (written to `tmp_dir` first)."""
    path = data_or_path
    if isinstance(data_or_path, bytes | bytearray):
        path = Path(tmp_dir) / name
        path.write_bytes(data_or_path)
    try:
        got = parse(Path(path))
    except Exception as exc:  # a refusal or a crash both lose every field of the file
        return FileScore(name, 0, n_fields(want), ["file"], error=f"{type(exc).__name__}: {exc}"[:200])
    ok, total, miss = score_file(got, want)
    return FileScore(name, ok, total, miss, flagged=flagged(got), got=got)


def score_corpus(corpus: Path) -> CorpusScore:
    corpus = Path(corpus)
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    result = CorpusScore()
    for name, want in sorted(truth.items()):
        result.files.append(score_pdf(name, corpus / name, want))
    return result


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--min", type=float, default=0.97)
    ap.add_argument("--misses", action="store_true", help="print only the files with a missed field")
    a = ap.parse_args(argv)
    result = score_corpus(a.corpus)
    print(result.report(only_misses=a.misses))
    silent = [f.name for f in result.files if f.silent_wrong]
    print(f"silent wrong values in {len(silent)} files" + (": " + ", ".join(silent) if silent else ""))
    failed = any(f.error is not None for f in result.files)
    return 0 if result.accuracy >= a.min and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
