"""Keyed pseudonyms for personnummer and short stable labels for private donors in exports.

A personnummer never reaches ``data/processed`` or an export in clear. ``pseudonymise`` replaces it
with ``pnr:<16 hex>``, an HMAC-SHA256 under a random key created on first use in
``config.key_file()`` (outside the repository, mode 0600). The same number gives the same pseudonym
on that machine, so linkage across reports still works; without the key it cannot be reversed by
trying all birth dates.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache

from . import config


@lru_cache(maxsize=4)
def _key(path: str) -> bytes:
    from pathlib import Path

    p = Path(path)
    if p.exists():
        return bytes.fromhex(p.read_text().strip())
    p.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = p.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.replace(tmp, p)
    return bytes.fromhex(key)


def key() -> bytes:
    return _key(str(config.key_file()))


def pseudonymise(personnummer: str) -> str:
    """``pnr:<16 hex>`` for a personnummer (pass the normalised form so spellings agree)."""
    digest = hmac.new(key(), personnummer.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"pnr:{digest[:16]}"


def protect_identifier(text: str | None) -> tuple[str | None, bool | None, str | None]:
    """``(value to store, is_valid, kind)`` for a printed identity number.

    ``kind`` is ``"pnr"``, ``"orgnr"`` or None. A personnummer (valid or not) is pseudonymised; so is
    any unreadable number of ten or more digits, since it could be one. An organisationsnummer is
    public and kept in its normal form ``NNNNNN-NNNN``. The one place that decides what may be stored.
    """
    from . import identifiers

    if text is None or not str(text).strip():
        return None, None, None
    ident = identifiers.parse_identifier(str(text))
    if ident is None:
        digits = re.sub(r"\D", "", str(text))
        if len(digits) >= 10:  # unreadable but could be personal: never in clear
            return pseudonymise(digits), False, None
        return str(text), False, None
    if ident.kind == "pnr":
        clear = ident.value if ident.is_valid else re.sub(r"\D", "", ident.value)
        return pseudonymise(clear), ident.is_valid, "pnr"
    return ident.value, ident.is_valid, "orgnr"


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and value.startswith("pnr:")


def keyed_hash(text: str, length: int = 16) -> str:
    """HMAC-SHA256 of ``text`` under the local key, as hex. For ids derived from personal data
    (a private donor's name and address): without the key nobody can confirm a guess."""
    return hmac.new(key(), str(text).encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def private_label(entity_id: str) -> str:
    """The label exports use for a private person unless the user asks for names.

    Keyed, so that someone who guesses a donor's name and address cannot recompute the label."""
    return f"Privatperson {keyed_hash('label:' + str(entity_id), 8)}"
