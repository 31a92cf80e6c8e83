"""Mutated copies of report PDFs, and one run of ``partifinans parse`` on each with a hard time bound.

Used by ``tests/robustness/test_mutation.py`` (a few dozen cases) and by
``benchmarks/run_all.py`` (a few hundred). Everything is deterministic from a seed: the same seed
gives the same bytes, so a failing case can be re-made and attached to a bug report.

An outcome is one of

- ``report``   exit 0 and a JSON document on stdout carrying the ``schema`` key;
- ``refusal``  exit 2 and exactly one stderr line that starts with the file path (the documented
  ``<file>: <reason>`` refusal) and no traceback;
- ``crash``    anything else: another exit status, a traceback, several lines, output not JSON;
- ``hang``     still running at the hard time bound (the process is killed).

Only the first two are acceptable.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MUTATIONS = ("flip_bytes", "truncate", "truncate_keep_eof", "delete_object", "append_garbage", "zero_run")
ACCEPTABLE = ("report", "refusal")

_OBJ = re.compile(rb"\d+ \d+ obj\b.*?\bendobj", re.DOTALL)


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    """One mutated copy of ``data``; ``kind`` is one of :data:`MUTATIONS`."""
    n = len(data)
    if kind == "flip_bytes":
        out = bytearray(data)
        for _ in range(rng.randint(1, 24)):
            i = rng.randrange(n)
            out[i] ^= rng.randint(1, 255)
        return bytes(out)
    if kind == "truncate":
        return data[: rng.randrange(1, n)]
    if kind == "truncate_keep_eof":  # cut, then put an end marker back so the cheap check passes
        return data[: rng.randrange(1, n)] + b"\n%%EOF\n"
    if kind == "delete_object":
        spans = [m.span() for m in _OBJ.finditer(data)]
        if not spans:
            return data[: n // 2]
        start, end = rng.choice(spans)
        return data[:start] + data[end:]
    if kind == "append_garbage":
        size = rng.choice([16, 512, 4096, 100_000])
        return data + bytes(rng.getrandbits(8) for _ in range(size))
    if kind == "zero_run":  # a run of zero bytes somewhere, as from a bad disk block
        i = rng.randrange(n)
        length = rng.randint(8, 2048)
        return data[:i] + b"\0" * min(length, n - i) + data[i + length:]
    raise ValueError(f"unknown mutation {kind!r}; expected one of {MUTATIONS}")


@dataclass(frozen=True)
class Case:
    path: Path
    source: str
    kind: str
    seed: int


def write_cases(sources: list[Path], n_cases: int, dest: Path, seed: int = 0) -> list[Case]:
    """``n_cases`` mutated copies written under ``dest``: every kind in turn, then the next source."""
    dest.mkdir(parents=True, exist_ok=True)
    blobs = {p: p.read_bytes() for p in sources}
    cases = []
    for i in range(n_cases):
        kind = MUTATIONS[i % len(MUTATIONS)]
        src = sources[(i // len(MUTATIONS)) % len(sources)]
        case_seed = seed * 1_000_003 + i
        data = mutate(blobs[src], kind, random.Random(case_seed))
        path = dest / f"case{i:04d}-{kind}-{src.stem}.pdf"
        path.write_bytes(data)
        cases.append(Case(path, src.name, kind, case_seed))
    return cases


@dataclass
class Outcome:
    case: Case
    status: str
    seconds: float
    detail: str
    report: dict | None = None  # the JSON document, for a ``report``

    @property
    def ok(self) -> bool:
        return self.status in ACCEPTABLE


def classify(path: Path, returncode: int | None, stdout: str, stderr: str) -> tuple[str, str]:
    """(status, detail) for one finished run of ``partifinans parse path``."""
    if returncode is None:
        return "hang", "killed at the time bound"
    if "Traceback" in stderr or "Traceback" in stdout:
        return "crash", stderr.strip().splitlines()[-1] if stderr.strip() else "traceback on stdout"
    lines = stderr.strip().splitlines()
    if returncode == 0:
        try:
            doc = json.loads(stdout)
        except ValueError as exc:
            return "crash", f"exit 0 but stdout is not JSON ({exc})"
        if not isinstance(doc, dict) or "schema" not in doc:
            return "crash", "exit 0 but the JSON has no schema key"
        return "report", f"{len(doc.get('lines', []))} lines, {len(doc.get('contributions', []))} contributions"
    if returncode == 2:
        if len(lines) != 1:
            return "crash", f"exit 2 with {len(lines)} stderr lines"
        if not lines[0].startswith(str(path)):
            return "crash", f"refusal does not start with the file path: {lines[0][:200]}"
        return "refusal", lines[0][len(str(path)) + 2:]
    return "crash", f"exit {returncode}: {lines[-1][:300] if lines else '(no stderr)'}"


def _child(path: str, out: str, err: str) -> None:
    """Run ``partifinans parse`` in a forked child with stdout/stderr on files (fd level)."""
    fo, fe = os.open(out, os.O_WRONLY), os.open(err, os.O_WRONLY)
    os.dup2(fo, 1)
    os.dup2(fe, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    code = 1
    try:
        from partifinans.cli import main

        code = main(["parse", path])
    except BaseException:  # noqa: BLE001 - anything escaping main() is a finding; show it
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_forked(case: Case, timeout: float) -> Outcome:
    """``partifinans.cli.main(["parse", path])`` in a forked process (fast: no new interpreter), killed
    at ``timeout`` seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp, "out"), Path(tmp, "err")
        out.touch()
        err.touch()
        ctx = multiprocessing.get_context("fork")
        t0 = time.perf_counter()
        proc = ctx.Process(target=_child, args=(str(case.path), str(out), str(err)))
        proc.start()
        proc.join(timeout)
        code = proc.exitcode
        if proc.is_alive():
            proc.kill()
            proc.join()
            code = None
        seconds = time.perf_counter() - t0
        stdout = out.read_text(errors="replace")
        status, detail = classify(case.path, code, stdout, err.read_text(errors="replace"))
    return Outcome(case, status, seconds, detail, json.loads(stdout) if status == "report" else None)


def parse_command() -> list[str]:
    """The installed ``partifinans`` console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("partifinans")
    return [str(script)] if script.exists() else [sys.executable, "-m", "partifinans.cli"]


def run_subprocess(case: Case, timeout: float) -> Outcome:
    """``partifinans parse path`` as a separate command, exactly as a user runs it."""
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PARTIFINANS_DEBUG"}
    try:
        proc = subprocess.run([*parse_command(), "parse", str(case.path)], capture_output=True, text=True,
                              timeout=timeout, env=env, errors="replace")
        status, detail = classify(case.path, proc.returncode, proc.stdout, proc.stderr)
        report = json.loads(proc.stdout) if status == "report" else None
    except subprocess.TimeoutExpired:
        status, detail, report = "hang", f"killed after {timeout} s", None
    return Outcome(case, status, time.perf_counter() - t0, detail, report)


def summarise(outcomes: list[Outcome]) -> dict:
    """Counts by status and by mutation kind, the slowest case, and every unacceptable outcome."""
    by_status: dict[str, int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    for o in outcomes:
        by_status[o.status] = by_status.get(o.status, 0) + 1
        k = by_kind.setdefault(o.case.kind, {})
        k[o.status] = k.get(o.status, 0) + 1
    slowest = max(outcomes, key=lambda o: o.seconds) if outcomes else None
    return {
        "cases": len(outcomes),
        "by_status": by_status,
        "by_kind": by_kind,
        "max_seconds": round(slowest.seconds, 2) if slowest else None,
        "slowest_case": slowest.case.path.name if slowest else None,
        "failures": [f"{o.case.path.name} ({o.case.kind}, seed {o.case.seed}): {o.status}: {o.detail}"
                     for o in outcomes if not o.ok],
    }


def compare_reports(outcomes: list[Outcome], originals: dict[str, dict]) -> dict:
    """For the mutated files that still gave a report: is it the original's report (``same``), a
    different one that says so with at least one warning more (``changed_with_warning``), or a
    different one without a new warning (``changed_silently``, listed)? ``originals`` maps a source
    file name to the report of the unmutated file."""
    def content(r: dict) -> dict:
        return {k: v for k, v in r.items() if k != "source"}

    counts = {"same": 0, "changed_with_warning": 0, "changed_silently": 0}
    silent = []
    for o in outcomes:
        if o.report is None or o.case.source not in originals:
            continue
        before = originals[o.case.source]
        if content(o.report) == content(before):
            counts["same"] += 1
        elif len(o.report.get("warnings", [])) > len(before.get("warnings", [])):
            counts["changed_with_warning"] += 1
        else:
            counts["changed_silently"] += 1
            fields = sorted(k for k in content(before) if o.report.get(k) != before.get(k))
            silent.append(f"{o.case.path.name} ({o.case.kind}, seed {o.case.seed}): differs in {', '.join(fields)}")
    return {**counts, "silent": silent}


def pdf_with_stream(path, dict_entries: bytes, data: bytes):
    """A one-page PDF whose content stream is ``data`` under the stream dictionary ``dict_entries``
    (``b"/Filter /FlateDecode"``...): for bombs and filter chains (tests/robustness/test_limits.py,
    tests/extract/test_pdftext.py)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + dict_entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path
