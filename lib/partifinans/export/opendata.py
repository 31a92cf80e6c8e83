"""Writing Kammarkollegiet's open-data format (demo data, test fixtures, benchmarks).

The reader is ``extract/opendata.py``; this writer uses its spec (``maps/opendata_headers.yaml``:
the first spelling of each header is the one written).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..extract.opendata import canonical_columns, written_headers


def format_amount(value: float) -> str:
    """``125000,00``: two decimals, decimal comma, no thousands separator."""
    return f"{float(value):.2f}".replace(".", ",")


def _format_amounts(values: pd.Series) -> pd.Series:
    if values.empty:
        return pd.Series([], index=values.index, dtype=str)
    return pd.Series(np.char.replace(np.char.mod("%.2f", values.to_numpy(dtype="float64")), ".", ","),
                     index=values.index, dtype=str)


def write_opendata_csv(rows: pd.DataFrame, path: Path | str, encoding: str = "utf-16") -> Path:
    """Write ``rows`` (canonical column names, see :func:`canonical_columns`) in the real format.

    UTF-16 LE with a byte-order mark (``encoding="utf-16"``, the default; pass ``"utf-8"`` for the
    UTF-8 variant), tab-separated, no quoting, CRLF line ends, decimal comma, a trailing tab.
    Missing columns are written blank. A value holding a tab or a line break is an error (the
    format has no quoting).
    """
    path = Path(path)
    cols = canonical_columns()
    out = pd.DataFrame(index=rows.index)
    for c in cols:
        if c not in rows:
            out[c] = ""
        elif c == "amount":
            out[c] = _format_amounts(rows[c]) if rows[c].dtype.kind in "fi" else rows[c].astype(str)
        else:
            out[c] = rows[c].astype("object").where(rows[c].notna(), "").astype(str)
    for c in cols:
        if out[c].str.contains(r"[\t\r\n]", regex=True).any():
            raise ValueError(f"column {c}: a value holds a tab or line break; the format has no quoting")
    joined = out[cols[0]]
    for c in cols[1:]:
        joined = joined + "\t" + out[c]
    body = "".join((joined + "\t\r\n").tolist()) if len(out) else ""
    text = "\t".join(written_headers()) + "\t\r\n" + body
    enc = "utf-16" if encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf16") else encoding
    data = text.encode("utf-16-le") if enc == "utf-16" else text.encode(enc)
    if enc == "utf-16":
        data = b"\xff\xfe" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
