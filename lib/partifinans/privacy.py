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
import json
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


def keyed_hashes(texts: list[str], length: int = 16) -> list[str]:
    """``keyed_hash`` of each text, the key read once (a million entity ids)."""
    start = hmac.new(key(), digestmod=hashlib.sha256)
    out = []
    for text in texts:
        h = start.copy()
        h.update(str(text).encode("utf-8"))
        out.append(h.hexdigest()[:length])
    return out


def private_label(entity_id: str) -> str:
    """The label exports use for a private person unless the user asks for names.

    Keyed, so that someone who guesses a donor's name and address cannot recompute the label."""
    return f"Privatperson {keyed_hash('label:' + str(entity_id), 8)}"


# --- personnummer in free text -------------------------------------------------------------------

# Ten or twelve digits, optionally with a separator before the last four (YYMMDD-NNNN,
# YYYYMMDDNNNN ...), standing alone: digits inside a hex id or a pseudonym are not a number.
PERSONNUMMER_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![0-9A-Za-z])")
_PSEUDONYM = re.compile(r"pnr:[0-9a-fA-F]+")
_SIX_DIGITS = re.compile(r"\d{6}")
REMOVED = "[borttaget]"


def pseudonymise_text(text: str | None) -> str | None:
    """``text`` with every personnummer replaced by its pseudonym (``[personnummer]`` when it fails
    its check): what ``ingest`` stores in warnings and reasons."""
    if not text:
        return text
    from . import identifiers

    def repl(m: re.Match) -> str:
        ident = identifiers.parse_identifier(m.group(0).replace(" ", ""))
        if ident is not None and ident.kind == "pnr":
            return pseudonymise(ident.value) if ident.is_valid else "[personnummer]"
        return m.group(0)

    return PERSONNUMMER_LIKE.sub(repl, text)


@lru_cache(maxsize=200_000)
def scrub_text(text: str) -> str:
    """``text`` with every personnummer (valid or not: shaped like one) and ``pnr:`` pseudonym blanked:
    what exports write.

    Organisationsnummer stay: they are public, and ``identifiers.parse_identifier`` tells them
    apart (their third and fourth digits are 20 or more).
    """
    if "pnr:" not in text and not _SIX_DIGITS.search(text):
        return text
    from . import identifiers

    text = _PSEUDONYM.sub(REMOVED, text)

    def repl(m: re.Match) -> str:
        ident = identifiers.parse_identifier(m.group(0))
        return m.group(0) if ident is not None and ident.kind == "orgnr" else REMOVED

    return PERSONNUMMER_LIKE.sub(repl, text)


def is_personnummer_text(donor_id: object) -> bool:
    """True when an identity value is a personnummer (a pseudonym or, defensively, anything
    shaped like one)."""
    if not isinstance(donor_id, str) or not donor_id:
        return False
    if donor_id.startswith("pnr:"):
        return True
    from . import identifiers

    ident = identifiers.parse_identifier(donor_id)
    return ident is not None and ident.kind == "pnr"


# --- private donors in what is published ----------------------------------------------------------


def public_names(frame, name: str = "canonical_name", entity_id: str = "entity_id", kind: str = "kind"):
    """A copy of ``frame`` in which private persons' names are replaced by :func:`private_label`.

    Giving money to a party reveals a political opinion (GDPR article 9), so anything published
    (the committed notebooks included) shows a private donor as ``Privatperson <hash>``: keyed with
    the local pseudonym key and stable across runs, so a reader can follow one donor through the
    tables without learning the name. Organisations are public and keep their names.
    """
    out = frame.copy()
    is_person = out[kind].fillna("") == "person"
    out[name] = out[name].astype(object)
    out.loc[is_person, name] = out.loc[is_person, entity_id].map(private_label)
    return out


def _casefold(text) -> str:
    return " ".join(str(text).split()).casefold()


def person_keys(tables: dict) -> tuple[set, set, set]:
    """Entity ids, donor ids and names of donors who are private persons."""
    entity_ids, donor_ids, names = set(), set(), set()
    c = tables.get("contributions")
    if c is not None and len(c):
        persons = c[c["donor_kind"] == "person"]
        entity_ids |= set(persons["entity_id"].dropna()) if "entity_id" in persons else set()
        donor_ids |= set(persons["donor_id"].dropna())
        names |= {_casefold(n) for n in persons["donor"].dropna()}
    e = tables.get("entities")
    if e is not None and len(e):
        entity_ids |= set(e.loc[e["kind"] == "person", "entity_id"].dropna())
    return entity_ids, donor_ids, names


def pseudonymise_flag_donors(flags, tables: dict):
    """Replace private persons' names (in ``donors`` and in the explanation) with stable labels."""
    if flags.empty:
        return flags
    entity_ids, donor_ids, names = person_keys(tables)
    flags = flags.copy()
    donors_out, texts = [], []
    for donors_json, text in zip(flags["donors"], flags["explanation"], strict=True):
        donors = json.loads(donors_json) if isinstance(donors_json, str) and donors_json else []
        for d in donors:
            is_person = (
                (d.get("entity_id") in entity_ids)
                or is_pseudonym(d.get("donor_id"))
                or (d.get("donor_id") in donor_ids)
                or (d.get("name") is not None and _casefold(d["name"]) in names and not d.get("donor_id"))
            )
            if is_person and d.get("name"):
                label = private_label(d.get("entity_id") or d.get("donor_id") or _casefold(d["name"]))
                text = text.replace(d["name"], label)
                d["name"] = label
        donors_out.append(json.dumps(donors, ensure_ascii=False))
        texts.append(text)
    flags["donors"] = donors_out
    flags["explanation"] = texts
    return flags
