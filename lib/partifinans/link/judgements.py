"""Human judgements on donor records: a plain CSV the matcher reads and never overrides.

File: ``data/manual/judgements.csv`` (``config.judgements_path()``), UTF-8, comma separated::

    left,right,judgement,who,when,note

- ``left`` / ``right`` name records in a way that stays valid across runs:
  - ``record:<id>`` or a bare ``<id>``: one record. In ``partifinans ingest`` the id is the
    contribution's ``contribution_id`` (stable: ``harmonise.py`` derives it from the reporter, the
    year and the contribution's own content, so a renamed file, a re-downloaded open-data file or a
    parser that reorders its output keeps it); in ``partifinans link`` it is the input's ``record_id``.
  - ``orgnr:<number>``: every record carrying that organisationsnummer (any spelling).
  - ``pnr:<16 hex>``: every record carrying that personnummer pseudonym. Never write a
    personnummer in clear in this file; a clear one is refused.
- ``judgement``: ``same`` (link them, even where the rules would not), ``different`` (never in
  one entity, not even through a chain of other links) or ``unsure`` (seen, no decision: the pair
  is no longer listed for review).
- ``who``, ``when`` (ISO date), ``note``: free text, kept for the record.

A ``same`` that would put two different valid identity numbers in one entity is not applied (that
rule is absolute) and reported as a warning. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from .normalise import normalise_identifier

COLUMNS = ("left", "right", "judgement", "who", "when", "note")
JUDGEMENTS = ("same", "different", "unsure")


@dataclass(frozen=True)
class Ref:
    """A parsed ``left``/``right`` value: ``kind`` is ``record`` or ``identifier``."""

    kind: str
    value: str


@dataclass(frozen=True)
class Judgement:
    line: int
    left: Ref
    right: Ref
    judgement: str
    who: str
    when: str
    note: str


def parse_ref(text: str, path: Path | str = "judgements", line: int = 0) -> Ref:
    s = str(text).strip()
    if not s:
        raise BadInput(path, f"line {line}: empty left or right")
    if s.startswith("record:"):
        return Ref("record", s[len("record:") :])
    if s.startswith("orgnr:") or s.startswith("pnr:"):
        raw = s[len("orgnr:") :] if s.startswith("orgnr:") else s
        if s.startswith("pnr:") and not _is_hex16(s[4:]):
            raise BadInput(
                path,
                f"line {line}: {s[:4]}... is not a pnr:<16 hex> pseudonym (never write a personnummer in clear)",
            )
        ident, kind = normalise_identifier(raw)
        if ident is None or (s.startswith("orgnr:") and kind != "organisation"):
            raise BadInput(path, f"line {line}: {s!r} is not a valid organisationsnummer")
        return Ref("identifier", ident)
    return Ref("record", s)


def _is_hex16(s: str) -> bool:
    return len(s) == 16 and all(c in "0123456789abcdef" for c in s)


def read_judgements(path: Path | str | None) -> list[Judgement]:
    """Read the judgements file; ``None`` or a missing default file gives no judgements.

    Raises ``BadInput`` naming the file and line for anything it cannot read.
    """
    if path is None:
        return []
    p = Path(path)
    if not p.exists():
        raise BadInput(p, "judgements file not found")
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            lines = [
                (i, line)
                for i, line in enumerate(fh, start=1)
                if line.strip() and not line.lstrip().startswith("#")
            ]
    except UnicodeDecodeError:
        raise BadInput(p, "not UTF-8 text") from None
    if not lines:
        return []
    reader = csv.reader([line for _, line in lines])
    header = [h.strip() for h in next(reader)]
    missing = [c for c in ("left", "right", "judgement") if c not in header]
    if missing:
        raise BadInput(p, f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    out: list[Judgement] = []
    for (line_no, _), row in zip(lines[1:], reader, strict=False):
        rec = dict(zip(header, (v.strip() for v in row), strict=False))
        verdict = rec.get("judgement", "").casefold()
        if verdict not in JUDGEMENTS:
            raise BadInput(
                p,
                f"line {line_no}: judgement must be same, different or unsure, not {rec.get('judgement', '')!r}",
            )
        left = parse_ref(rec.get("left", ""), p, line_no)
        right = parse_ref(rec.get("right", ""), p, line_no)
        out.append(
            Judgement(
                line_no, left, right, verdict, rec.get("who", ""), rec.get("when", ""), rec.get("note", "")
            )
        )
    return out
