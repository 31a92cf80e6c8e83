"""Kammarkollegiet's open-data file ``PartiinsynOpenData.csv`` into the reports / lines / contributions tables.

The file (Kammarkollegiet, Partiinsyn open data,
https://partiinsyn.kammarkollegiet.se/PartiinsynOpenData/PartiinsynOpenData.csv) holds one row per
organisation, year and income type: UTF-16 LE with a byte-order mark, tab-separated, no quoting,
one header row, decimal comma and a trailing tab on every line. UTF-8 (with or without a
byte-order mark) and LF or CRLF line ends are read too. Header spellings and the shape every
column's values must have live in ``maps/opendata_headers.yaml``; the file is recognised by its
columns (:func:`sniff`), read by position with one warning when it has no usable header row, and
fails naming the missing columns when its header lacks required ones. A row one cell short (no
trailing tab) or with extra empty cells at its end is read with a warning on its report; a row of
any other length is left out with a file warning naming its line (``file_warnings``).

What the reader makes of it:

- one report per (year, organisationsnummer); level from the "Verksam på ... nivå" = "Ja" columns,
  area from Kommun / Region, party from the party-name column (party id 999999 = no party = null);
- one line per (report, income type) holding the sum of that type's rows (zero types kept);
- one contribution per non-zero row of an itemised type (4.1, 5.2, 5.4, 5.7, 8.x), its donor, donor
  id and form read from the type description (``Freja 8 (764500-1988) Pengar``).

Provenance: ``row`` is the 1-based data row (header excluded); ``page`` is null. A value of an
unknown shape fails the whole file with :class:`~partifinans.errors.BadInput`; an unknown income
type code is kept as a line with a warning on its report. The work is vectorised (pyarrow reads,
pandas groups); Python loops run only over distinct values (organisation numbers, descriptions)
and over reports, never over rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from .. import privacy, schema
from ..errors import BadInput

SOURCE_KIND = "opendata"
LAYOUT = "opendata"
HEADER_PROBE_BYTES = 64 * 1024
LEVEL_COLUMNS = {"is_riks": "riks", "is_eu": "eu", "is_region": "region", "is_kommun": "kommun"}
"""'Ja' column -> schema level, broadest first (an organisation marked at several levels gets the first)."""

USED_COLUMNS = frozenset({
    "year", "org_number", "reporter_name", "party_id", "party_name", "is_kommun", "kommun", "is_region",
    "region", "is_riks", "is_eu", "group_code", "type_code", "type_label", "description", "amount",
})
_BOMS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig"))
_NUMBER_IN_TEXT = re.compile(r"(?<![\d-])((?:\d{2})?\d{6}[-+ ]?\d{4})(?![\d-])")
_NUMBER_IN_PARENS_AT_END = re.compile(r"\(\s*((?:\d{2})?\d{6}[-+ ]?\d{4})\s*\)\s*$")
_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


# --------------------------------------------------------------------------------------------------
# The format as data


@lru_cache(maxsize=1)
def spec() -> dict:
    """The parsed ``maps/opendata_headers.yaml``."""
    text = resources.files("partifinans").joinpath("maps/opendata_headers.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    for col in loaded["columns"].values():
        # shapes are matched by RE2 (pyarrow), which has no \uXXXX escape: put the characters in
        col["shape"] = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), col["shape"])
    return loaded


@lru_cache(maxsize=1)
def income_types() -> pd.DataFrame:
    """The shared ``maps/income_types.csv``: code, group, itemised (bool), label."""
    import io

    text = resources.files("partifinans").joinpath("maps/income_types.csv").read_text(encoding="utf-8")
    types = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    types["itemised"] = types["itemised"].str.casefold().eq("true")
    return types


def known_codes() -> list[str]:
    return income_types()["code"].tolist()


def kind_codes(kind: str) -> list[str]:
    """Codes whose donors are of ``kind`` (person, organisation, anonymous) by the shared code map."""
    types = income_types()
    return types.loc[types["donor_kind"].fillna("").eq(kind), "code"].tolist()


def anonymous_codes() -> list[str]:
    """Codes whose donors are anonymous by the shared code map (4.1, 5.2, 8.1, 8.2)."""
    return kind_codes("anonymous")


def itemised_codes() -> list[str]:
    types = income_types()
    return types.loc[types["itemised"], "code"].tolist()


def normalise_header(text: str) -> str:
    """Loose header key: letters and digits only, case-folded.

    Case, spaces, punctuation and camel-case boundaries do not count: ``BeloppIKr``,
    ``Belopp i kr`` and ``belopp_i_kr`` are one key (``beloppikr``); so are ``LänKommunKod`` and
    ``Län-/kommunkod``. Letters keep their diacritics (``Län`` is not ``Lan``; the map lists
    ASCII spellings where they occur).
    """
    return re.sub(r"[\W_]+", "", str(text).casefold())


@lru_cache(maxsize=1)
def _spelling_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, col in spec()["columns"].items():
        for spelling in col["spellings"]:
            lookup.setdefault(normalise_header(spelling), canonical)
    return lookup


def canonical_columns() -> list[str]:
    """Canonical column names in the file's documented order."""
    return list(spec()["columns"])


def written_headers() -> list[str]:
    """The header we write (first spelling of each column), in the documented order."""
    return [col["spellings"][0] for col in spec()["columns"].values()]


# --------------------------------------------------------------------------------------------------
# Recognising the file
#
# The file is recognised by its columns, never by its exact spelling: a header row whose cells name
# enough of the file's columns (however spelled, see normalise_header) is read by name; a file whose
# header row is missing or unrecognisable but whose rows have the file's shape (20 cells, a year, an
# organisationsnummer, an amount last) is read by position, as the public readers of this file do,
# with one warning. A file that looks like this one but lacks required columns is an error naming them.

MIN_RECOGNISED_COLUMNS = 5
"""A header row names the file when at least this many of its columns (and half its cells) are known."""
SHAPE_PROBE_LINES = 6
"""Lines at the top of the file whose shape is checked when the header row is not recognised."""
_YEAR = re.compile(r"\d{4}")
_ORG_NUMBER = re.compile(r"(?:\d{2})?\d{6}[-+]?\d{4}")
_DECIMAL_COMMA_AMOUNT = re.compile(r"[-\u2212]?\d[\d \u00a0\u202f]*,\d+")


@dataclass
class Layout:
    """How to read one file: its encoding, the cells of a row and which column sits in which cell."""

    encoding: str
    width: int
    """Cells per row the parser expects (the trailing tab's empty cell included)."""
    found: dict[str, int]
    """Canonical column -> cell index."""
    names: list[str]
    """Column name per cell, as the file spells it (or as documented when read by position)."""
    header_lines: int
    """1 when the first line is a header row, 0 when the file starts with data."""
    warnings: list[str] = field(default_factory=list)
    """Warnings about the file as a whole (not tied to one report)."""


def _encoding_of(head: bytes) -> str:
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    # UTF-16 LE without a BOM shows as every second byte NUL in ASCII text
    if len(head) >= 4 and head[1] == 0 and head[3] == 0:
        return "utf-16-le"
    return "utf-8"


def _read_head(path: Path) -> tuple[str, list[str]]:
    """The file's encoding and its first lines (line ends, BOM removed; a cut last line dropped)."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_PROBE_BYTES)
    enc = _encoding_of(head)
    if enc.startswith("utf-16"):
        head = head[: len(head) - len(head) % 2]
    text = head.decode(enc, errors="replace").lstrip("\ufeff")
    if "\n" not in text and len(head) == HEADER_PROBE_BYTES:
        raise ValueError("no line break in the first 64 KiB")
    lines = text.split("\n")
    if len(head) == HEADER_PROBE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # probably cut in the middle
    return enc, [line.rstrip("\r") for line in lines]


def _read_header(path: Path) -> tuple[str, list[str]]:
    """The file's encoding and header cells (trailing empty cell from the trailing tab kept)."""
    enc, lines = _read_head(path)
    return enc, lines[0].split("\t")


def _recognised(headers: list[str]) -> int:
    """How many distinct columns of the file the cells of ``headers`` name."""
    lookup = _spelling_lookup()
    keys = [normalise_header(h) for h in headers]
    named = {lookup[k] for k in keys if k in lookup}
    if "party_name" in named and keys.count(normalise_header("Partitillhörighet")) >= 2:
        named.add("party_id")
    filled = sum(1 for k in keys if k)
    return len(named) if 2 * len(named) >= filled else 0


def _cells(line: str) -> list[str]:
    """A line's cells without the one empty cell the trailing tab leaves."""
    cells = line.split("\t")
    return cells[:-1] if len(cells) > 1 and cells[-1].strip() == "" else cells


def _looks_like_a_row(cells: list[str]) -> bool:
    """A year first, an organisationsnummer second, a decimal-comma amount last."""
    return (
        len(cells) >= 3
        and _YEAR.fullmatch(cells[0].strip()) is not None
        and _ORG_NUMBER.fullmatch(cells[1].strip()) is not None
        and _DECIMAL_COMMA_AMOUNT.fullmatch(cells[-1].strip()) is not None
    )


def sniff(path: Path | str) -> Layout | None:
    """How to read ``path`` as the open-data file, or None when it is not that file.

    Raises ``ValueError`` (one line) when the file looks like the open-data file but cannot be
    read: its header names the file's columns but lacks required ones, or its rows have the file's
    values but not its number of cells.
    """
    enc, lines = _read_head(Path(path))
    lines = [line for line in lines if line.strip("\t ")] if lines else []
    if not lines:
        return None
    headers = lines[0].split("\t")
    if _recognised(headers) >= MIN_RECOGNISED_COLUMNS:
        try:
            found = match_headers(headers)
        except ValueError as exc:
            missing = str(exc).split("layout: ", 1)[-1]
            raise ValueError(f"open-data file: the header row names the file's columns but lacks required ones: {missing}") from None
        for i, h in enumerate(headers):
            if not normalise_header(h) and i != len(headers) - 1:
                raise ValueError(f"open-data file: header cell {i + 1} is empty")
        width = len(headers)
        if len(lines) > 1:
            first = lines[1].split("\t")
            if headers[-1].strip() and len(first) == width + 1 and not first[-1].strip():
                width += 1  # rows end in a tab, the header row does not
            elif not headers[-1].strip() and len(first) == width - 1:
                width -= 1  # the header row ends in a tab, the rows do not
        names = headers + [""] * (width - len(headers))
        return Layout(enc, width, found, names, header_lines=1)
    n_columns = len(canonical_columns())
    sample = lines[:SHAPE_PROBE_LINES]
    shaped = [i for i, line in enumerate(sample) if _looks_like_a_row(_cells(line))]
    if not shaped or (shaped[0] > 1):
        return None
    start = shaped[0]  # 0: no header row; 1: a header row we cannot read
    widths = {len(_cells(sample[i])) for i in shaped}
    if widths != {n_columns}:
        raise ValueError(
            "open-data file: the rows have the file's values (a year, an organisationsnummer, an amount last) "
            f"but {'/'.join(str(w) for w in sorted(widths))} cells where the file has {n_columns}, and no "
            "header row names the columns"
        )
    width = len(sample[shaped[0]].split("\t"))
    found = {c: i for i, c in enumerate(canonical_columns())}
    names = written_headers() + [""] * (width - n_columns)
    if start == 0:
        why = "the file has no header row"
    else:
        why = f"the header row is not recognised ({' '.join(lines[0].split())[:80]!r})"
    warning = f"{why}; its {n_columns} columns are read by position, in the documented order"
    return Layout(enc, width, found, names, header_lines=start, warnings=[warning])


def match_headers(headers: list[str]) -> dict[str, int]:
    """Map canonical column -> index in ``headers``; ``ValueError`` naming what is missing.

    A header two columns may share (``Partitillhörighet`` for both party id and party name, see
    ``ambiguous_with`` in the map) goes, when it occurs twice, first to the id and then to the name
    (the documented order); when it occurs once, to the name. :func:`read_opendata` then checks
    the values and swaps id and name if the digits sit under the name.
    """
    cols = spec()["columns"]
    lookup = _spelling_lookup()
    claimants: dict[str, list[str]] = {}
    for name, c in cols.items():
        for s in c.get("ambiguous_with", []):
            claimants.setdefault(normalise_header(s), []).append(name)
    keys = [normalise_header(h) for h in headers]
    found: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key and key not in claimants and lookup.get(key) and lookup[key] not in found:
            found[lookup[key]] = i
    for key, extra in claimants.items():
        owner = [lookup[key]] if key in lookup else []
        order = extra + owner if keys.count(key) >= 2 else owner + extra
        for i in (i for i, k in enumerate(keys) if k == key):
            free = [c for c in order if c not in found]
            if free:
                found[free[0]] = i
    missing = [col["spellings"][0] for c, col in cols.items() if col["required"] and c not in found]
    if missing:
        raise ValueError("not the open-data layout: no column " + ", ".join(repr(m) for m in missing))
    return found


def is_opendata_file(path: Path | str) -> bool:
    """True when ``path`` is recognised as the open-data file (never raises).

    Also True for a file that looks like it but cannot be read (missing required columns):
    :func:`read_opendata` then fails with the reason, so such a file is a failure, not a skip.
    """
    try:
        return sniff(path) is not None
    except ValueError:
        return True
    except (OSError, UnicodeError):
        return False


# --------------------------------------------------------------------------------------------------
# Reading


def _read_table(path: Path, layout: Layout) -> tuple[pa.Table, np.ndarray, dict[int, str], list[str]]:
    """The needed columns as trimmed strings under canonical names (pyarrow, transcoded in blocks).

    Returns the table, each row's 1-based data row, warnings for rows read although ragged
    (data row -> text) and file warnings for rows left out. A row one cell short (no trailing tab)
    is padded, a row with extra empty cells at its end trimmed; any other row of another number of
    cells is left out with a warning naming its line.
    """
    enc = layout.encoding
    names = [f"c{i}" for i in range(layout.width)]
    cols = spec()["columns"]
    # columns neither used nor shape-checked (Valkrets, Intäktsgrupp) are not read at all
    wanted = {
        f"c{i}": canonical for canonical, i in layout.found.items()
        if canonical in USED_COLUMNS or cols[canonical]["shape"] != ".*"
    }
    ragged: list[tuple[int | None, str]] = []

    def keep_aside(row) -> str:
        ragged.append((row.number, row.text))
        return "skip"

    def read(use_threads: bool) -> pa.Table:
        ragged.clear()
        options = pacsv.ReadOptions(
            encoding="utf-8" if enc == "utf-8-sig" else enc,
            column_names=names,
            skip_rows=layout.header_lines,
            block_size=1 << 24,
            use_threads=use_threads,
        )
        parse = pacsv.ParseOptions(
            delimiter="\t", quote_char=False, double_quote=False, escape_char=False, invalid_row_handler=keep_aside,
        )
        convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            include_columns=list(wanted),
        )
        return pacsv.read_csv(str(path), read_options=options, parse_options=parse, convert_options=convert)

    try:
        table = read(use_threads=True)
        if ragged:  # rare: read again on one thread, which tells each ragged row's line
            table = read(use_threads=False)
    except pa.ArrowInvalid as exc:
        msg = " ".join(str(exc).split())
        msg = re.sub(r"^CSV parse error:\s*", "", msg)
        raise BadInput(path, f"open-data file: {msg[:200]}") from None
    except UnicodeError as exc:
        raise BadInput(path, f"open-data file: not valid {enc} text ({exc.reason})") from None
    table = pa.table({wanted[n]: pc.utf8_trim_whitespace(table[n]) for n in table.column_names})
    if not ragged:
        return table, _data_row_numbers(path, enc, table.num_rows, layout.header_lines), {}, []

    # physical line (1-based, header included) -> data row: the header line is not a data row
    trailing = layout.width > len(canonical_columns()) or not layout.names[-1]
    fixed: list[tuple[int, list[str]]] = []
    notes: dict[int, str] = {}
    dropped: list[str] = []
    for number, text in ragged:
        line = int(number)
        data_row = line - layout.header_lines
        cells = text.rstrip("\r").split("\t")
        n = len(cells)
        where = f"row {data_row} (line {line})"
        if n == layout.width - 1 and trailing:
            notes[data_row] = f"{where}: one cell short (no trailing tab); read as if it had one"
            fixed.append((data_row, cells + [""]))
        elif n > layout.width and not any(c.strip() for c in cells[layout.width:]):
            notes[data_row] = f"{where}: {n - layout.width} extra empty cell(s) at the end; read without them"
            fixed.append((data_row, cells[: layout.width]))
        else:
            dropped.append(f"{where}: {n} cells where the file has {layout.width}; row left out, the rest of the file read")
    rows = _data_row_numbers(path, enc, table.num_rows, layout.header_lines, leave_out={d for d, _ in fixed}
                             | {int(n) - layout.header_lines for n, _ in ragged})
    if fixed:
        extra = pa.table({
            wanted[n]: pc.utf8_trim_whitespace(pa.array([cells[int(n[1:])] for _, cells in fixed], pa.string()))
            for n in wanted
        }).select(table.column_names)
        table = pa.concat_tables([table, extra])
        rows = np.concatenate([rows, np.array([d for d, _ in fixed], dtype=np.int64)])
        order = np.argsort(rows, kind="stable")
        table, rows = table.take(pa.array(order)), rows[order]
    return table, rows, notes, dropped


def _data_row_numbers(path: Path, enc: str, n_rows: int, header_lines: int = 1,
                      leave_out: set[int] | None = None) -> np.ndarray:
    """1-based data row of each parsed row, counting blank lines (which the parser skips) too.

    Fast path: count line breaks in the raw bytes; only when that shows blank lines (or rows were
    set aside, ``leave_out``) is the text decoded to find them.
    """
    wide = enc.startswith("utf-16")
    breaks, last, first = 0, b"", None
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            if first is None:
                first = chunk[:2]
            big_endian = wide and first == b"\xfe\xff"
            breaks += int((np.frombuffer(chunk, dtype=">u2" if big_endian else "<u2") == 10).sum()) if wide \
                else chunk.count(b"\n")
            last = chunk
    ends_with_break = last.endswith((b"\x00\n" if first == b"\xfe\xff" else b"\n\x00") if wide else b"\n")
    lines = breaks + (0 if ends_with_break else 1)
    if not leave_out and lines == n_rows + header_lines:
        return np.arange(1, n_rows + 1, dtype=np.int64)
    text = path.read_bytes().decode("utf-8-sig" if enc == "utf-8" else enc, errors="replace")
    data_lines = text.split("\n")[header_lines:]
    skip = leave_out or set()
    rows = np.array([i + 1 for i, line in enumerate(data_lines) if line.strip("\r\t ") and i + 1 not in skip],
                    dtype=np.int64)
    return rows if len(rows) == n_rows else np.arange(1, n_rows + 1, dtype=np.int64)


def _fullmatch(column: pa.ChunkedArray, shape: str) -> np.ndarray:
    return pc.match_substring_regex(column, f"^(?:{shape})$").to_numpy(zero_copy_only=False)


def _check_shapes(table: pa.Table, path: Path, headers: list[str], found: dict[str, int], rows: np.ndarray) -> None:
    cols = spec()["columns"]
    for name in table.column_names:
        shape = cols[name]["shape"]
        if shape == ".*":
            continue
        ok = _fullmatch(table[name], shape)
        if not ok.all():
            bad = int(np.flatnonzero(~ok)[0])
            value = table[name][bad].as_py()
            raise BadInput(
                path,
                f"open-data file: column {headers[found[name]]!r} has a value of unknown shape "
                f"at data row {rows[bad]}: {value[:60]!r}",
            )


def _amounts(column: pa.ChunkedArray) -> np.ndarray:
    s = pc.replace_substring_regex(column, "[ \u00a0\u202f]", "")
    s = pc.replace_substring(s, "\u2212", "-")
    s = pc.replace_substring(s, ",", ".")
    s = pc.if_else(pc.equal(s, ""), "0", s)
    return pc.cast(s, pa.float64()).to_numpy()


def _encode(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(codes per row, distinct values) via dictionary encoding."""
    enc = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), np.asarray(enc.dictionary.to_pylist(), dtype=object)


def _hash_ids(parts) -> np.ndarray:
    return np.array([hashlib.sha256(s.encode("utf-8")).hexdigest()[:16] for s in parts], dtype=object)


def _reporter_number(text: str) -> tuple[str | None, bool | None, bool]:
    """Stored value, validity, whether it is a personnummer (then pseudonymised) for a printed number."""
    value, valid, kind = privacy.protect_identifier(text)
    return value, valid, kind == "pnr"


def read_opendata(path: Path | str, source_path: str, sha256: str) -> dict:
    """Read the open-data file into schema-conformant ``reports``, ``lines`` and ``contributions``.

    Also returns ``file_warnings``: a list of one-line warnings about the file as a whole (read by
    position; rows left out). Warnings about one report's rows are in its ``warnings``.

    Raises :class:`BadInput` (``<file>: <reason>``) when the file is not the open-data layout,
    lacks required columns or a column holds a value of an unknown shape.
    """
    path = Path(path)
    try:
        layout = sniff(path)
    except (OSError, ValueError, UnicodeError) as exc:
        raise BadInput(path, str(exc)) from None
    if layout is None:
        raise BadInput(path, "not the open-data layout: no header row names its columns and no row has its shape")
    table, rows, row_notes, dropped = _read_table(path, layout)
    found = dict(layout.found)
    if "party_id" in table.column_names and table.num_rows:
        # 'Partitillhörighet' twice: the digits are the id
        if not _fullmatch(table["party_id"], r"\d*").all() and _fullmatch(table["party_name"], r"\d+").all():
            table = table.rename_columns(
                [{"party_id": "party_name", "party_name": "party_id"}.get(n, n) for n in table.column_names]
            )
            found["party_id"], found["party_name"] = found["party_name"], found["party_id"]
    _check_shapes(table, path, layout.names, found, rows)
    file_warnings = layout.warnings + dropped
    if table.num_rows == 0:
        return {t: schema.empty(t) for t in ("reports", "lines", "contributions")} | {"file_warnings": file_warnings}
    return _tables(table, rows, source_path, sha256, row_notes) | {"file_warnings": file_warnings}


def _tables(table: pa.Table, row: np.ndarray, source_path: str, sha256: str,
            row_notes: dict[int, str] | None = None) -> dict[str, pd.DataFrame]:
    sp = spec()
    year = pc.cast(table["year"], pa.int64()).to_numpy()
    amount = _amounts(table["amount"])
    group = pc.cast(table["group_code"], pa.int64()).to_numpy()

    # ---- report of each row: (year, number as stored); by name when the number is blank
    org_idx, org_values = _encode(table["org_number"])
    name_idx, name_values = _encode(table["reporter_name"])
    numbers = [_reporter_number(t) for t in org_values]
    stored = np.array([v for v, _, _ in numbers], dtype=object)
    blank = np.array([not t for t in org_values], dtype=bool)
    key_idx = np.where(blank[org_idx], len(org_values) + name_idx, org_idx)
    report_idx, _ = pd.factorize(key_idx * 10_000 + year, sort=False)
    _, first_idx = np.unique(report_idx, return_index=True)  # report k's first row, increasing in k
    n_reports = len(first_idx)
    warnings: list[list[str]] = [[] for _ in range(n_reports)]
    for data_row, note in (row_notes or {}).items():  # ragged rows read all the same
        at = np.flatnonzero(row == data_row)
        if len(at):
            warnings[report_idx[at[0]]].append(note)

    # ---- reports: attributes from each report's first row
    first = table.take(pa.array(first_idx)).to_pandas()
    first_org = org_idx[first_idx]
    keys = [
        f"{sha256}|{y}|{stored[o] if not blank[o] else 'name:' + first['reporter_name'].iloc[k]}"
        for k, (y, o) in enumerate(zip(year[first_idx], first_org, strict=True))
    ]
    report_ids = _hash_ids(keys)
    first_rows = row[first_idx]
    reports = pd.DataFrame({
        "report_id": report_ids,
        "source_path": source_path,
        "source_sha256": sha256,
        "source_kind": SOURCE_KIND,
        "is_primary": None,  # harmonise.py decides
        "kind": "intaktsredovisning",
        "year": year[first_idx],
        "org_number": stored[first_org],
        "is_org_number_valid": np.array([numbers[o][1] for o in first_org], dtype=object),
        "reporter_name": first["reporter_name"].where(first["reporter_name"] != "", None).to_numpy(),
        "role": None,
        "row": first_rows,
    })
    for k, o in enumerate(first_org):
        if numbers[o][2]:
            warnings[k].append(f"row {first_rows[k]}: reporter identified by a personnummer, stored as a pseudonym")
        if blank[o]:
            warnings[k].append(f"row {first_rows[k]}: no organisationsnummer")

    party = first["party_name"].where(first["party_name"] != "", None)
    if "party_id" in first:
        party = party.where(~first["party_id"].isin(sp["no_party_ids"]), None)
    reports["party"] = party.to_numpy()

    marks = pd.DataFrame({lvl: first[col].str.casefold().eq("ja") for col, lvl in LEVEL_COLUMNS.items()})
    level = pd.Series(None, index=first.index, dtype="object")
    for lvl in reversed(list(LEVEL_COLUMNS.values())):  # broadest wins: assign it last
        level = level.mask(marks[lvl], lvl)
    reports["level"] = level.to_numpy()
    for k in np.flatnonzero(marks.sum(axis=1).to_numpy() > 1):
        marked = ", ".join(m for m in marks.columns if marks[m].iloc[k])
        warnings[k].append(f"row {first_rows[k]}: marked active at several levels ({marked}); level {level.iloc[k]} kept")
    blank_col = pd.Series("", index=first.index)
    kommun = first.get("kommun", blank_col)
    region = first.get("region", blank_col)
    kommun = kommun.where(kommun != "", None)
    region = region.where(region != "", None)
    area = kommun.where(level.eq("kommun"), region.where(level.eq("region"), None))
    reports["area"] = area.fillna(kommun).fillna(region).to_numpy()

    # a report whose rows disagree about its name or party
    party_idx, _ = _encode(table["party_name"])
    for codes, what in ((name_idx, "name"), (party_idx, "party")):
        per = pd.Series(codes).groupby(report_idx).agg(["min", "max"])
        for k in np.flatnonzero((per["min"] != per["max"]).to_numpy()):
            warnings[k].append(f"rows disagree about the reporter's {what}; the first row's is kept")

    # ---- lines: one per (report, type code), amount summed, in order of first row
    type_idx, type_values = _encode(table["type_code"])
    line_idx, _ = pd.factorize(report_idx * len(type_values) + type_idx, sort=False)
    _, line_first = np.unique(line_idx, return_index=True)
    line_amount = np.bincount(line_idx, weights=amount, minlength=len(line_first))
    line_report = report_idx[line_first]
    line_type = type_idx[line_first]
    line_group = group[line_first]
    line_row = row[line_first]
    n_lines = len(line_first)
    take_lines = pa.array(line_first)
    if "type_label" in table.column_names:
        labels = table["type_label"].take(take_lines).combine_chunks()
        labels = pc.if_else(pc.equal(labels, ""), pa.scalar(None, pa.string()), labels)
    else:
        labels = pa.nulls(n_lines, pa.string())
    codes = type_values[line_type]
    known_type = np.isin(type_values, known_codes())
    prefix = np.array([int(c.split(".")[0]) for c in type_values], dtype=np.int64)
    known = known_type[line_type] | np.isin(line_group, sp["known_groups_with_any_code"])
    for i in np.flatnonzero(~known):
        warnings[line_report[i]].append(
            f"row {line_row[i]}: unknown income type code {codes[i]!r} (group {line_group[i]}) kept as a line"
        )
    for i in np.flatnonzero(known & (prefix[line_type] != line_group)):
        warnings[line_report[i]].append(f"row {line_row[i]}: income type {codes[i]!r} listed under group {line_group[i]}")
    itemised_type = np.isin(type_values, itemised_codes())
    line_itemised = itemised_type[line_type] | np.isin(line_group, sp["itemised_groups"])
    rows_per_line = np.bincount(line_idx, minlength=n_lines)
    for i in np.flatnonzero((rows_per_line > 1) & ~line_itemised):
        warnings[line_report[i]].append(
            f"row {line_row[i]}: type {codes[i]!r} is on {rows_per_line[i]} rows; the line holds their sum"
        )
    for i in np.flatnonzero(line_amount < 0):
        warnings[line_report[i]].append(f"row {line_row[i]}: negative amount {line_amount[i]:.2f} for type {codes[i]!r}")
    # the lines table is as long as the file: built in Arrow, no Python string per line
    lines_out = schema.to_pandas(pa.table({
        "report_id": pa.array(report_ids, pa.string()).take(pa.array(line_report)),
        "group": pa.array(line_group, pa.int64()),
        "code": pa.array(type_values, pa.string()).take(pa.array(line_type)),
        "label": labels,
        "amount": pa.array(line_amount, pa.float64()),
        "page": pa.nulls(n_lines, pa.int64()),
        "row": pa.array(line_row, pa.int64()),
        **{flag: pa.nulls(n_lines, pa.bool_()) for flag in schema.CODE_FLAGS},  # harmonise.py fills them
    }, schema=schema.arrow_schema("lines")))

    # ---- contributions: non-zero rows of itemised types
    pick = np.flatnonzero(
        (itemised_type[type_idx] | np.isin(group, sp["itemised_groups"])) & (amount != 0)
    )
    items = pd.DataFrame({
        "description": table["description"].take(pa.array(pick)).to_numpy(zero_copy_only=False).astype(object),
        "type_code": type_values[type_idx[pick]],
        "group": group[pick],
        "amount": amount[pick],
        "row": row[pick],
        "report_idx": report_idx[pick],
    })
    contributions, item_warnings = _contributions(items, report_ids)
    for k, text in item_warnings:
        warnings[k].append(text)

    reports["warnings"] = [sorted(w, key=_row_of) for w in warnings]
    return {
        "reports": schema.conform(reports, "reports"),
        "lines": lines_out,
        "contributions": schema.conform(contributions, "contributions"),
    }


def _row_of(warning: str) -> int:
    m = re.match(r"row (\d+)\b", warning)
    return int(m.group(1)) if m else 0


# --------------------------------------------------------------------------------------------------
# Type descriptions


@lru_cache(maxsize=1)
def _form_pattern() -> tuple[re.Pattern, dict[str, str]]:
    words = {w.casefold(): form for form, spellings in spec()["forms"].items() for w in spellings}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:^|\s)({alternatives})\s*$", re.IGNORECASE), words


def parse_description(text: str) -> dict:
    """Donor, printed identity number, form and date from an open-data type description.

    ``Freja 8 (764500-1988) Pengar`` -> donor ``Freja 8``, number ``764500-1988``, form ``pengar``.
    The number is the last parenthesised identity number at the end (names may hold parentheses
    themselves); failing that, any identity-number-shaped token, which is taken out of the name in
    any case (a personnummer must never stay in a name). ``Privat bidrag Pengar`` is a private
    person whose name the open data withholds (``is_private``, donor None).

    Returns ``{"donor", "number", "form", "date", "is_private", "extra_numbers"}``.
    """
    s = " ".join(str(text).split())
    form_re, words = _form_pattern()
    form = None
    m = form_re.search(s)
    if m:
        form = words[m.group(1).casefold()]
        s = s[: m.start()].strip()
    body_cf = s.casefold()
    is_private = any(body_cf == p.casefold() or body_cf.startswith(p.casefold() + " ")
                     for p in spec()["private_donor_prefixes"])
    date = None
    d = _DATE_IN_TEXT.search(s)
    if d:
        date = d.group(1)
        s = (s[: d.start()] + s[d.end():]).strip()
    number = None
    m = _NUMBER_IN_PARENS_AT_END.search(s)
    if m:
        number = m.group(1)
        s = s[: m.start()].strip()
    others = _NUMBER_IN_TEXT.findall(s)
    if others:
        if number is None:
            number = others[0]
            others = others[1:]
        s = _NUMBER_IN_TEXT.sub("", s)
        s = re.sub(r"\(\s*\)", "", s)
        s = " ".join(s.split()).strip(" ,;:-")
    donor = None if is_private or not s else s
    return {
        "donor": donor,
        "number": number,
        "form": form,
        "date": date,
        "is_private": is_private,
        "extra_numbers": len(others),
    }


def _identity(number: str | None) -> tuple[str | None, bool | None, str | None]:
    """(donor_id as stored, valid, kind) for a printed number; personnummer pseudonymised."""
    return privacy.protect_identifier(number)


def _contributions(items: pd.DataFrame, report_ids: np.ndarray) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """One contribution per itemised non-zero row; descriptions parsed once per distinct text."""
    if items.empty:
        return schema.empty("contributions"), []
    parsed = {}
    for text in items["description"].unique():
        p = parse_description(text)
        p["donor_id"], p["valid"], p["id_kind"] = _identity(p["number"])
        parsed[text] = p
    table = pd.DataFrame.from_dict(parsed, orient="index")
    desc = items["description"]
    code = items["type_code"].to_numpy()
    group = items["group"].to_numpy()
    donor = desc.map(table["donor"]).to_numpy(dtype=object)
    donor_id = desc.map(table["donor_id"]).to_numpy(dtype=object)
    id_kind = desc.map(table["id_kind"]).to_numpy(dtype=object)
    is_private = desc.map(table["is_private"]).to_numpy(dtype=bool)
    # Anonymous by the code map (maps/income_types.csv: 4.1, 5.2, 8.1, 8.2), unless the description
    # names an identity number: no published Kammarkollegiet source numbers the group-8 types, so a
    # named donor under an anonymous code is kept, with a warning, never dropped.
    anonymous_type = np.isin(code, anonymous_codes())
    named = pd.notna(donor_id) & anonymous_type
    anonymous = anonymous_type & ~named
    kind = np.select(
        [
            anonymous,
            is_private | (id_kind == "pnr"),
            id_kind == "orgnr",
            np.isin(code, kind_codes("person")),
            np.isin(code, kind_codes("organisation")),
        ],
        ["anonymous", "person", "organisation", "person", "organisation"],
        default="unknown",
    )
    donor = np.where(anonymous, None, donor)
    donor_id = np.where(anonymous, None, donor_id)
    valid = desc.map(table["valid"]).to_numpy(dtype=object)
    valid = np.where(anonymous, None, valid)
    rows = items["row"].to_numpy()
    rid = report_ids[items["report_idx"].to_numpy()]
    ids = _hash_ids([f"{r}|{w}" for r, w in zip(rid, rows, strict=True)])
    out = pd.DataFrame(
        {
            "contribution_id": ids,
            "report_id": rid,
            "group": group,
            "code": code,
            "donor": donor,
            "donor_id": donor_id,
            "is_donor_id_valid": valid,
            "donor_kind": kind,
            "address": None,
            "form": desc.map(table["form"]).to_numpy(dtype=object),
            "date": desc.map(table["date"]).to_numpy(dtype=object),
            "amount": items["amount"].to_numpy(),
            "page": None,
            "row": rows,
        }
    )
    warnings: list[tuple[int, str]] = []
    report_idx = items["report_idx"].to_numpy()
    no_form = out["form"].isna().to_numpy()
    for i in np.flatnonzero(no_form):
        warnings.append((int(report_idx[i]), f"row {int(rows[i])}: contribution description names no form "
                                              f"(Pengar, Varor, Tjänster, Övrigt)"))
    extra = desc.map(table["extra_numbers"]).to_numpy(dtype=int)
    for i in np.flatnonzero(extra > 0):
        warnings.append((int(report_idx[i]), f"row {int(rows[i])}: description holds more than one "
                                              f"identity number; the first kept, the rest dropped"))
    for i in np.flatnonzero(named):
        warnings.append((int(report_idx[i]), f"row {int(rows[i])}: type {code[i]} is anonymous in the code map "
                                              f"but the description names a donor; the donor is kept"))
    invalid = (valid == False) & ~anonymous  # noqa: E712 - object array of True/False/None
    for i in np.flatnonzero(invalid):
        warnings.append((int(report_idx[i]), f"row {int(rows[i])}: donor identity number fails its check digit"))
    negative = out["amount"].to_numpy() < 0
    for i in np.flatnonzero(negative):
        warnings.append((int(report_idx[i]), f"row {int(rows[i])}: negative contribution amount"))
    return out, warnings
