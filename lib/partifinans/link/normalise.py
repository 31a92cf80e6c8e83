"""Donor names, addresses and identity numbers in the forms the matcher compares.

Comparison is lenient (case, diacritics, punctuation, word order, legal-form words), but nothing
here replaces the original spelling: callers keep the name as printed for output ("Bäck" is shown
as "Bäck" even though it compares equal to "Back").

The legal-form and marker words are data: ``legal_forms.csv`` beside this module.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import identifiers, privacy

LEGAL_FORMS_CSV = Path(__file__).with_name("legal_forms.csv")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "&": " och "})
# Identity numbers written inside a name: "Exempelbolaget AB (556677-8899)", "SE556677889901".
_ID_IN_NAME = re.compile(r"(?<![0-9A-Za-z])(?:SE\s?)?(?:\d{2})?\d{6}[-+ ]?\d{4}(?:01)?(?!\d)")
_POSTCODE = re.compile(r"(?<!\d)(\d{3}) ?(\d{2})(?!\d)")
_DIGITS = re.compile(r"\d+")
# "storgatan 1, 123 45 exempelstad": two parts, the second a postcode, a space and a town (with
# the space, as _other_address passes it to _fold_part)
_STREET_POSTCODE_TOWN = re.compile(r"([^,]*[^, ]), (\d{3}) ?(\d{2})( [^,]*[^, ])")
_ENTRANCE = re.compile(r"\b(\d+) ([a-z])\b")
# "storgatan 1, exempelstad": two parts, the second without digits (so no postcode) is the town
_STREET_TOWN = re.compile(r"([^,]*[^, ]), ([^, \d][^,\d]*)")
# street abbreviations after a letter, before whitespace, a digit or the end: "storg. 1", "idrottsv."
_ABBREVIATED = {"g.": "gatan ", "v.": "vägen "}
_BEFORE_ABBREVIATION = "[a-zåäö]"
_STREET_ABBREVIATIONS = tuple(  # (what every match contains, the pattern, its replacement)
    (abbr, re.compile(rf"(?<={_BEFORE_ABBREVIATION}){re.escape(abbr)}(?=\s|$|\d)"), repl)
    for abbr, repl in _ABBREVIATED.items()
)


def fold(text: str) -> str:
    """Lower case, diacritics removed, every run of non-letters and non-digits one space.

    >>> fold("Bergström-Fastigheter  AB (publ)")
    'bergstrom fastigheter ab publ'
    """
    s = str(text).casefold()
    if not s.isascii() or "&" in s:  # else the table changes nothing
        s = s.translate(_FOLD_TABLE)
    if not s.isascii():  # letters outside the table: the slow, general way
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", s).strip()


_SEPARATOR = "\x00"  # between the values of fold_many: no step of fold changes it or spans it
_NON_ALNUM_OR_SEPARATOR = re.compile(r"[^0-9a-z\x00]+")
_ASCII_NOT_AMPERSAND = re.compile(r"[\x00-\x25\x27-\x7f]+")


def fold_many(values: list[str]) -> list[str]:
    """``[fold(v) for v in values]`` for strings, a few passes over all of them at once.

    Case folding and the table map each character alone, and the separator is neither a letter
    nor a digit, so the values joined fold as they would one by one; only values left with
    letters outside the table go the slow way, one by one, as in ``fold``.
    """
    if not values or any(_SEPARATOR in v for v in values):
        return [fold(v) for v in values]
    joined = _SEPARATOR.join(values).casefold()
    # str.translate looks up every character; each character to change is replaced in one pass
    # instead (every replacement is ASCII without "&", so the order does not matter)
    for ch in set(_ASCII_NOT_AMPERSAND.sub("", joined)):
        if ord(ch) in _FOLD_TABLE:
            joined = joined.replace(ch, _FOLD_TABLE[ord(ch)])
    if not joined.isascii():
        joined = _SEPARATOR.join(
            v if v.isascii() else "".join(c for c in unicodedata.normalize("NFKD", v) if not unicodedata.combining(c))
            for v in joined.split(_SEPARATOR)
        )
    return [v.strip() for v in _NON_ALNUM_OR_SEPARATOR.sub(" ", joined).split(_SEPARATOR)]


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics (U+00C0-U+024F) to their base letters, plus ``_SPECIAL``."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        ch = chr(code).casefold()
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch.translate(_SPECIAL)) if not unicodedata.combining(c)
        )
        if base.isascii():
            table[code] = base
    table.update({ord(k): v for k, v in ((chr(k), v) for k, v in _SPECIAL.items())})
    return table


_FOLD_TABLE = _fold_table()


# --- the bulk readers' work per string, in Arrow's kernels -------------------------------------------
# parse_names, parse_addresses and normalise_identifiers fold, split, sort and match all strings at
# once in Arrow's compute kernels and make one Python object per distinct result. They must read
# every string as the one-by-one readers do, and the kernels differ from Python where it matters:
# utf8_lower lower-cases one character at a time (casefold writes "ß" as "ss", "İ" as "i̇"), and
# RE2's \d and \s are ASCII (Python's match "٣" and U+3000). So a string goes to the kernels only
# if each of its characters is one they provably read alike (checked against Python on first use);
# the others, rare in a Swedish register, go the one-by-one way.

_PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # none lies above U+3000
_PY_DIGIT = re.compile(r"\d")


def _re2_class(chars) -> str:
    """The characters as the inside of an RE2 character class."""
    return "".join(f"\\x{{{ord(c):X}}}" for c in sorted(chars))


@dataclass(frozen=True, slots=True)
class _Kernels:
    unsafe: str  # RE2: a character the kernels may read otherwise than Python (or NUL)
    untidy: str  # RE2: what " ".join(s.split()) changes but at the ends (two whitespace, or other than " ")
    fold_chars: dict[str, str]  # a lowered character beyond ASCII -> its fold, where that has letters or digits


def _fold_char(ch: str) -> str:
    """``fold`` of one character, without the strip: fold maps a string character by character
    (casefold, the table and NFKD without combining marks all do), then makes each run of
    non-letters one space."""
    s = ch.casefold().translate(_FOLD_TABLE)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", s)


@lru_cache(maxsize=1)
def _kernels() -> _Kernels:
    """Which characters beyond ASCII go to the kernels: of Latin-1, Latin Extended-A and -B (the
    Swedish letters and most European ones), general punctuation and the spaces, those that
    utf8_lower lowers as casefold does (also once lowered), and that are no digit to Python's \\d."""
    candidates = [chr(c) for c in (*range(0x80, 0x250), 0x1680, *range(0x2000, 0x2070), 0x3000)]
    lowered = pc.utf8_lower(pa.array(candidates, pa.string())).to_pylist()
    alike = {c for c, low in zip(candidates, lowered, strict=True) if low == c.casefold() and not _PY_DIGIT.match(c)}
    safe = {
        c for c in alike if c.casefold().casefold() == c.casefold() and all(d.isascii() or d in alike for d in c.casefold())
    }
    fold_chars = {}
    for c in safe:
        low = c.casefold()
        if not low.isascii() and _fold_char(low).strip():
            fold_chars[low] = _fold_char(low)
    untidy = f"[{_re2_class(_PY_WHITESPACE)}]{{2,}}|[{_re2_class(_PY_WHITESPACE.replace(' ', ''))}]"
    return _Kernels(f"[^\\x{{1}}-\\x{{7F}}{_re2_class(safe)}]", untidy, fold_chars)


def _re2(pattern: re.Pattern) -> str:
    """A pattern for the kernels, for strings without digits beyond ASCII: ``\\d`` as ``[0-9]``, the
    groups named g1, g2, ... (extract_regex wants names)."""
    text = re.sub(r"\[[^\]]*\]", lambda m: m.group(0).replace(r"\d", "0-9"), pattern.pattern)  # in a class
    text, n = text.replace(r"\d", "[0-9]"), 0

    def name(m: re.Match) -> str:
        nonlocal n
        n += 1
        return f"(?P<g{n}>"

    return re.sub(r"(?<!\\)\((?!\?)", name, text)


# An address as _lower writes it has one space for each run of whitespace and digits of ASCII
# only (else it does not reach the kernels): a lookahead for whitespace, a digit or the end is
# taken as one more group, put back.
_STREET_ABBREVIATIONS_RE2 = tuple(
    (f"({_BEFORE_ABBREVIATION}){re.escape(abbr)}( |[0-9]|$)", rf"\1{repl}\2") for abbr, repl in _ABBREVIATED.items()
)


def _lower_kernels(texts: pa.Array) -> pa.Array:
    """``_lower`` of strings without unsafe characters."""
    # each run of whitespace one space: only runs of two and other whitespace need replacing
    tidy = _replace_regex(texts, _kernels().untidy, " ")
    low = pc.utf8_lower(pc.utf8_trim(tidy, " "))
    for pattern, repl in _STREET_ABBREVIATIONS_RE2:
        low = _replace_regex(low, pattern, repl)
    return low


def _replace_regex(texts: pa.Array, pattern: str, repl: str) -> pa.Array:
    """``replace_substring_regex`` on the strings that match (much faster where few do)."""
    found = pc.match_substring_regex(texts, pattern)
    if not pc.any(found).as_py():
        return texts
    return pc.replace_with_mask(texts, found, pc.replace_substring_regex(pc.filter(texts, found), pattern, repl))


def _fold_kernels(texts: pa.Array, *, collapse: bool = True) -> pa.Array:
    """``fold`` of strings without unsafe characters; without ``collapse``, each character that
    is no letter a-z or digit left as one space per byte (runs not made one, the ends not stripped)."""
    low = pc.utf8_lower(texts)
    fold_chars = _kernels().fold_chars
    for ch in _beyond_ascii(low):
        if ch in fold_chars:
            low = pc.replace_substring(low, ch, fold_chars[ch])
    spaced = _blank_non_alnum(pc.replace_substring(low, "&", _FOLD_TABLE[ord("&")]))
    if not collapse:
        return spaced
    return pc.ascii_trim(pc.binary_join(pc.ascii_split_whitespace(spaced), " "), " ")


def _beyond_ascii(texts: pa.Array) -> set[str]:
    """The characters beyond ASCII in the strings (their bytes, the ASCII ones left out, are UTF-8 still)."""
    data = texts.buffers()[2]
    if data is None:
        return set()
    b = np.frombuffer(data, dtype=np.uint8)
    return set(b[b >= 0x80].tobytes().decode("utf-8"))


_ALNUM_BYTES = np.zeros(256, dtype=bool)
_ALNUM_BYTES[list(b"0123456789abcdefghijklmnopqrstuvwxyz")] = True


def _blank_non_alnum(texts: pa.Array) -> pa.Array:
    """Each byte but a-z and 0-9 a space: same lengths, so the offsets stay."""
    validity, offsets, data = texts.buffers()
    if data is None:
        return texts
    b = np.frombuffer(data, dtype=np.uint8)
    blanked = np.where(_ALNUM_BYTES[b], b, np.uint8(32)).astype(np.uint8)
    return pa.StringArray.from_buffers(len(texts), offsets, pa.py_buffer(blanked), validity, texts.null_count, texts.offset)


def _arrow_strings(values: list, texts: pa.Array | None = None) -> tuple[pa.Array, np.ndarray]:
    """The strings as an Arrow array (``texts``, if the caller has them so already), and per
    string: must it be read one by one? (it has a character the kernels may read otherwise than
    Python, or one UTF-8 cannot hold, a lone surrogate; or it is missing)"""
    try:
        # (pandas holds its strings as large_string, which some kernels here must not mix with string)
        texts = pa.array(values, pa.string()) if texts is None else texts.cast(pa.string())
        unreadable = np.zeros(len(values), dtype=bool)
    except UnicodeEncodeError:
        unreadable = np.array([isinstance(v, str) and not _encodes(v) for v in values], dtype=bool)
        texts = pa.array(["" if u else v for v, u in zip(values, unreadable.tolist(), strict=True)], pa.string())
    unsafe = pc.fill_null(pc.match_substring_regex(texts, _kernels().unsafe), True).to_numpy(zero_copy_only=False)
    return texts, unsafe | unreadable


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _lists(parents: pa.Array, values: pa.Array, n: int) -> pa.ListArray:
    """``n`` lists of ``values``, each value in the list ``parents`` names (parents ascending)."""
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents.to_numpy(zero_copy_only=False), minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _objects(values: list) -> np.ndarray:
    """The values as a numpy array of objects (tuples too: one element each)."""
    return np.fromiter(values, dtype=object, count=len(values))


@dataclass(frozen=True, slots=True)
class LegalWords:
    """The phrases of ``legal_forms.csv``: folded phrase -> list of (role, value)."""

    phrases: dict[tuple[str, ...], tuple[tuple[str, str], ...]]
    longest: int
    starts: frozenset[str]  # the first word of every phrase
    single: dict[str, tuple[tuple[str, str], ...]]  # the phrases of one word
    several: tuple[str, ...]  # the phrases of two or more words, " ab publ ": a space at each end


@lru_cache(maxsize=1)
def legal_words(path: str = str(LEGAL_FORMS_CSV)) -> LegalWords:
    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            key = tuple(fold(row["phrase"]).split())
            role = row["role"].strip()
            if role not in ("legal_form", "marker", "noise"):
                raise ValueError(f"{path}: unknown role {role!r} for {row['phrase']!r}")
            phrases.setdefault(key, []).append((role, (row["value"] or "").strip()))
    return LegalWords(
        {k: tuple(v) for k, v in phrases.items()},
        max(len(k) for k in phrases),
        frozenset(k[0] for k in phrases),
        {k[0]: tuple(v) for k, v in phrases.items() if len(k) == 1},
        tuple(f" {' '.join(k)} " for k in phrases if len(k) > 1),
    )


@dataclass(frozen=True, slots=True)
class Name:
    """A donor name as the matcher sees it.

    ``core`` is the folded name without legal-form, marker and noise words, its tokens sorted (so
    "Lindqvist, Anna-Karin" and "Anna Karin Lindqvist" have the same core); ``legal_forms`` and
    ``markers`` are the normal forms found; ``numbers`` the digit tokens ("Freja 8" is not "Freja 9").
    """

    core: str
    legal_forms: frozenset[str]
    markers: frozenset[str]
    numbers: tuple[str, ...]

    @property
    def key(self) -> str:
        """Exact-match key: core plus markers (legal forms are checked separately)."""
        return self.core + ("|" + ",".join(sorted(self.markers)) if self.markers else "")

    @property
    def looks_like_organisation(self) -> bool:
        return bool(self.legal_forms or self.markers)


_NO_WORDS: frozenset[str] = frozenset()
_WORD_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(words: set[str]) -> frozenset[str]:
    """One frozenset object per distinct set of words: a million names hold a few dozen."""
    if not words:
        return _NO_WORDS
    fs = frozenset(words)
    return _WORD_SETS.setdefault(fs, fs)


@lru_cache(maxsize=500_000)
def parse_name(raw: str) -> Name:
    """Split a printed name into the parts the matcher compares. Never raises."""
    return _name(fold(_ID_IN_NAME.sub(" ", raw)))


def parse_names(raws: list[str], texts: pa.Array | None = None) -> list[Name]:
    """``[parse_name(r) for r in raws]`` without the cache, for many distinct strings at once.

    Arrow's kernels fold all names, split them into words, set the legal-form words apart (a
    phrase of several words made one word first) and sort the others; Python makes one ``Name``
    per distinct core and legal-form words. Names with characters the kernels do not read as
    Python does are read one by one; the identity numbers are removed in Python from the few
    names with six digits in a row (which every number has).

    ``texts``: the same strings as an Arrow array, if the caller has them so.
    """
    if not raws:
        return []
    texts, slow = _arrow_strings(raws, texts)
    texts = pc.if_else(pa.array(slow), "", texts)
    numbered = np.flatnonzero(~slow & pc.match_substring_regex(texts, "[0-9]{6}").to_numpy(zero_copy_only=False))
    if numbered.size:
        without = pa.array([_ID_IN_NAME.sub(" ", raws[i]) for i in numbered.tolist()], pa.string())
        mask = np.zeros(len(raws), dtype=bool)
        mask[numbered] = True
        texts = pc.replace_with_mask(texts, pa.array(mask), without)
    out = _names_of_spaced(_fold_kernels(texts, collapse=False))
    seen: dict[str, Name] = {}
    for i in np.flatnonzero(slow).tolist():
        f = fold(_ID_IN_NAME.sub(" ", raws[i]))
        out[i] = seen[f] if f in seen else seen.setdefault(f, _name(f))
    return out.tolist()


def _names_of_spaced(spaced: pa.Array) -> np.ndarray:
    """``[_name(fold(s)) ...]`` for names folded but for runs of spaces, as an array of objects."""
    words = legal_words()
    n = len(spaced)
    several, passes = None, _phrase_passes()
    if words.several:  # a phrase of two or more words: made one word, "ab_publ"
        phrases = "|".join(p.strip().replace(" ", " +") for p in words.several)
        several = pc.match_substring_regex(spaced, f"(?:^| )(?:{phrases})(?: |$)")
        if passes is not None and pc.any(several).as_py():
            joined = pc.filter(spaced, several)
            for pattern, word in passes:
                joined = _replace_regex(joined, pattern, word)
            spaced = pc.replace_with_mask(spaced, several, joined)
    tokens = pc.ascii_split_whitespace(spaced)
    flat, parents = pc.list_flatten(tokens), pc.list_parent_indices(tokens)
    role_words = [*words.single, *(word for _, word in passes or ())]
    is_role = pc.is_in(flat, value_set=pa.array(sorted(role_words), pa.string()))
    is_core = pc.and_(pc.invert(is_role), pc.not_equal(flat, ""))  # (a space at either end: an empty word)
    core_words, core_parents = pc.filter(flat, is_core), pc.filter(parents, is_core)
    order = pc.sort_indices(
        pa.table({"parent": core_parents, "word": core_words}), sort_keys=[("parent", "ascending"), ("word", "ascending")]
    )  # (folded words are ASCII: bytes sort as Python sorts str)
    core = pc.binary_join(_lists(core_parents, core_words.take(order), n), " ")
    roles = pc.dictionary_encode(pc.binary_join(_lists(pc.filter(parents, is_role), pc.filter(flat, is_role), n), " "))
    role_sets = [_roles(tuple(r.split())) for r in roles.dictionary.to_pylist()]
    cores = pc.dictionary_encode(core)
    # one Name per distinct (core, legal-form words)
    codes = cores.indices.to_numpy(zero_copy_only=False).astype(np.int64) * len(role_sets)
    distinct, codes = np.unique(codes + roles.indices.to_numpy(zero_copy_only=False), return_inverse=True)
    role_codes = (distinct % len(role_sets)).tolist()
    core_texts = cores.dictionary.take(distinct // len(role_sets))
    digits = pc.match_substring_regex(core_texts, "[0-9]").to_numpy(zero_copy_only=False).tolist()
    names = [_new_name(c, *role_sets[r], d) for c, r, d in zip(core_texts.to_pylist(), role_codes, digits, strict=True)]
    out = _objects(names)[codes]
    if several is not None and passes is None:  # phrases that may overlap: the longest from the left, one by one
        seen: dict[str, Name] = {}
        for i in np.flatnonzero(several.to_numpy(zero_copy_only=False)).tolist():
            f = " ".join(spaced[i].as_py().split())
            out[i] = seen[f] if f in seen else seen.setdefault(f, _name(f))
    return out


@lru_cache(maxsize=1)
def _phrase_passes() -> tuple[tuple[str, str], ...] | None:
    """The phrases of two or more words as the kernels replace them, one after the other: (RE2
    pattern, the phrase as one word, its words joined by "_"), longest first. That reads a name as
    ``_name`` does, the longest phrase from the left, unless a phrase ends with words another
    begins with ("x y" and "y z" in "x y z"): then None."""
    phrases = sorted((p for p in legal_words().phrases if len(p) > 1), key=len, reverse=True)
    for a in phrases:
        for b in phrases:
            if any(a[i:] == b[: len(a) - i] for i in range(1, len(a))) and a != b:
                return None
    # (folded phrases: letters a-z and digits, so nothing RE2 reads as syntax)
    return tuple((rf"\b{' +'.join(p)}\b", "_".join(p)) for p in phrases)


def _name(folded: str) -> Name:
    """The ``Name`` of a folded name without identity numbers."""
    words = legal_words()
    tokens = folded.split()
    if words.starts.isdisjoint(tokens):  # most names have no legal-form, marker or noise word
        tokens.sort()
        return _new_name(" ".join(tokens), _NO_WORDS, _NO_WORDS)
    if not any(map(f" {folded} ".__contains__, words.several)):  # (folded: words, one space between)
        # then every phrase found is one word, whatever the order of reading
        core = [t for t in tokens if t not in words.single]
        core.sort()
        return _new_name(" ".join(core), *_roles(tuple(t for t in tokens if t in words.single)))
    core: list[str] = []
    forms: set[str] = set()
    markers: set[str] = set()
    i = 0
    while i < len(tokens):
        if tokens[i] not in words.starts:  # most words begin no phrase
            core.append(tokens[i])
            i += 1
            continue
        for n in range(min(words.longest, len(tokens) - i), 0, -1):
            hit = words.phrases.get(tuple(tokens[i : i + n]))
            if hit:
                for role, value in hit:
                    if role == "legal_form":
                        forms.add(value)
                    elif role == "marker":
                        markers.add(value)
                i += n
                break
        else:
            core.append(tokens[i])
            i += 1
    core.sort()
    return _new_name(" ".join(core), _shared(forms), _shared(markers))


@lru_cache(maxsize=1024)
def _roles(single_words: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The legal forms and markers of phrases of one word (a name holds a few dozen combinations);
    a phrase of several words may come as one, its words joined by "_" (as the kernels write it)."""
    hits = [hit for word in single_words for hit in legal_words().phrases[tuple(word.split("_"))]]
    return (
        _shared({value for role, value in hits if role == "legal_form"}),
        _shared({value for role, value in hits if role == "marker"}),
    )


_WORD_WITH_DIGIT = re.compile(r"\b[a-z]*+[0-9][a-z0-9]*")


def _new_name(core: str, forms: frozenset[str], markers: frozenset[str], has_digit: bool = True) -> Name:
    """``numbers``: the words with digits (folded words: letters a-z and digits only); without
    ``has_digit`` the core is known to have none."""
    return Name(core, forms, markers, tuple(_WORD_WITH_DIGIT.findall(core)) if has_digit else ())


def display_name(raw: str, parsed: Name | None = None) -> str:
    """The printed name with whitespace tidied and "Last, First" turned into "First Last".

    Only a single comma between two parts without digits and without legal-form words is read as
    "Last, First"; "Exempelbolaget, AB" and addresses are left alone. Diacritics and case are
    kept. ``parsed``: ``parse_name(raw)``, if the caller has it (without digits, the tidied name
    parses alike).
    """
    s = " ".join(str(raw).split())
    if s.count(",") == 1:
        last, first = (p.strip() for p in s.split(","))
        if last and first and not any(c.isdigit() for c in s):
            if not (parsed or parse_name(s)).looks_like_organisation:
                return f"{first} {last}"
    return s


def display_names(raws: list[str], parsed: list[Name]) -> list[str]:
    """``[display_name(r, p) for r, p in zip(raws, parsed)]``; a name without a comma is only tidied."""
    return [display_name(r, p) if "," in r else " ".join(r.split()) for r, p in zip(raws, parsed, strict=True)]


def identifier_in_name(raw: str) -> str | None:
    """A valid identity number written inside a name, in its normal form, else None."""
    for m in _ID_IN_NAME.finditer(str(raw)):
        ident = identifiers.parse_identifier(m.group(0).replace(" ", ""))
        if ident is not None and ident.is_valid:
            return ident.value
    return None


_SIX_DIGITS = re.compile(r"\d{6}")  # every match of _ID_IN_NAME holds six digits in a row


def identifiers_in_names(raws: list[str]) -> list[str | None]:
    """``[identifier_in_name(r) for r in raws]``: only the names with six digits in a row, found
    in one pass over all of them joined, are read one by one."""
    out: list[str | None] = [None] * len(raws)
    if not raws:
        return out
    joined = "\x00".join(raws)  # not a digit: no run of digits spans two names
    starts = np.cumsum([0] + [len(r) + 1 for r in raws[:-1]])
    hits = np.searchsorted(starts, [m.start() for m in _SIX_DIGITS.finditer(joined)], side="right") - 1
    for k in set(hits.tolist()):
        out[k] = identifier_in_name(raws[k])
    return out


def normalise_identifier(raw: str) -> tuple[str | None, str | None]:
    """``(identifier, kind)`` for a written number: orgnr ``NNNNNN-NNNN`` or a ``pnr:<hex>`` pseudonym.

    A personnummer in clear is pseudonymised here, so it never travels further than this function.
    An already pseudonymised ``pnr:...`` is kept. Invalid or unreadable numbers give ``(None, None)``:
    only valid numbers link deterministically.
    """
    s = str(raw).strip()
    if privacy.is_pseudonym(s):
        return s, "person"
    value, kind = _parse_identifier(s)
    if kind == "person":
        # not cached: the pseudonym depends on the key file, which a caller may change
        return privacy.pseudonymise(value), "person"
    return value, kind


_NO_IDENTIFIER = (None, None)
# an organisationsnummer or personnummer as identifiers._ten_digits reads it, in ASCII digits and
# without spaces: (century)(six digits)[-+](four digits), or SE, ten digits and 01 (a VAT number)
_WRITTEN_NUMBER_RE2 = "^(?P<century>[0-9]{2})?(?P<six>[0-9]{6})[-+]?(?P<four>[0-9]{4})$"
_VAT_NUMBER_RE2 = "^[Ss][Ee](?P<ten>[0-9]{10})01$"


def normalise_identifiers(values: list[str], texts: pa.Array | None = None) -> list[tuple[str | None, str | None]]:
    """``[normalise_identifier(v) if v else (None, None) for v in values]`` for many at once (None
    as an empty value).

    Arrow's kernels find the pseudonyms and the numbers written in ASCII digits without spaces;
    an organisationsnummer is checked (python-stdnum) once per distinct ten digits. Anything else,
    a personnummer in clear among them (pseudonymised there, as always), is read one by one, once
    per distinct value.

    ``texts``: the same strings as an Arrow array, if the caller has them so.
    """
    n = len(values)
    if not n:
        return []
    texts, _ = _arrow_strings(values, texts)  # (a string UTF-8 cannot hold is "" there: read one by one below)
    out = np.full(n, None, dtype=object)
    empty = np.array([not v for v in values], dtype=bool)
    # a pseudonym with nothing for strip() to remove is kept as it is
    whitespace = _re2_class(_PY_WHITESPACE)
    kept = pc.and_(pc.starts_with(texts, "pnr:"), pc.invert(pc.match_substring_regex(texts, f"[{whitespace}]$")))
    kept = pc.fill_null(kept, False).to_numpy(zero_copy_only=False)
    written = pc.extract_regex(texts, _WRITTEN_NUMBER_RE2)
    vat = pc.extract_regex(texts, _VAT_NUMBER_RE2)
    is_written = pc.fill_null(pc.is_valid(written), False)
    century = pc.if_else(is_written, written.field("century"), "")
    digits = pc.if_else(
        is_written, pc.binary_join_element_wise(written.field("six"), written.field("four"), ""), vat.field("ten")
    )
    shaped = pc.or_(is_written, pc.fill_null(pc.is_valid(vat), False)).to_numpy(zero_copy_only=False)
    # as identifiers.parse_identifier: a century of 18-20, or none and a month in digits 3-4, is a
    # personnummer; a century but 16 is no identity number; the rest is an organisationsnummer
    month = pc.less(pc.utf8_slice_codeunits(digits, 2, 4), "20")
    person = pc.or_(
        pc.is_in(century, value_set=pa.array(["18", "19", "20"])), pc.and_(pc.equal(century, ""), month)
    ).to_numpy(zero_copy_only=False)
    organisation = pc.is_in(century, value_set=pa.array(["", "16"])).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(shaped & ~person & organisation & ~empty & ~kept)
    if rows.size:
        numbers = pc.dictionary_encode(digits.take(pa.array(rows)))
        read = [
            (identifiers.format_orgnr(d), "organisation") if identifiers.is_valid_orgnr_digits(d) else _NO_IDENTIFIER
            for d in numbers.dictionary.to_pylist()
        ]
        out[rows] = _objects(read)[numbers.indices.to_numpy(zero_copy_only=False)]
    for i in np.flatnonzero(kept).tolist():
        out[i] = (values[i], "person")
    out[(shaped & ~person & ~organisation) | empty] = _objects([_NO_IDENTIFIER])
    seen: dict[str, tuple[str | None, str | None]] = {}
    for i in np.flatnonzero(~(shaped & ~person) & ~empty & ~kept).tolist():
        v = values[i]
        out[i] = seen[v] if v in seen else seen.setdefault(v, normalise_identifier(v))
    return out.tolist()


@lru_cache(maxsize=200_000)
def _parse_identifier(s: str) -> tuple[str | None, str | None]:
    if not s:
        return None, None
    ident = identifiers.parse_identifier(s)
    if ident is None or not ident.is_valid:
        return None, None
    return ident.value, ("person" if ident.kind == "pnr" else "organisation")


@dataclass(frozen=True, slots=True)
class Address:
    """A printed address split into what can be compared.

    ``key`` is the whole address folded (street abbreviations "g." / "v." expanded, postcode
    without its space); ``street`` the folded street words without numbers; ``numbers`` the house
    and box numbers; ``postcode`` five digits; ``town`` the folded town.
    """

    key: str
    street: str
    numbers: tuple[str, ...]
    postcode: str
    town: str

    @property
    def block(self) -> str:
        """A coarse key: two addresses that can match share it (same numbers, street initial)."""
        if not self.street:
            return ""
        return " ".join(self.numbers) + "/" + self.street[:2]

    @property
    def is_specific(self) -> bool:
        """A street with a house or box number, or a street with a postcode: enough to tell two
        namesakes apart. A town alone is not."""
        return bool(self.street) and bool(self.numbers or self.postcode)

    @property
    def place(self) -> str:
        return self.town or (f"postnr {self.postcode}" if self.postcode else "")


EMPTY_ADDRESS = Address("", "", (), "", "")


@lru_cache(maxsize=500_000)
def parse_address(raw: str) -> Address:
    """Read "Storgatan 1, 123 45 Exempelstad" and its variants. Never raises."""
    low = _lower(raw)
    if not low:
        return EMPTY_ADDRESS
    if m := _STREET_POSTCODE_TOWN.fullmatch(low):
        return _common_address(*m.groups())
    return _other_address(low)


def parse_addresses(raws: list[str], texts: pa.Array | None = None) -> list[Address]:
    """``[parse_address(r) for r in raws]`` without the cache, for many distinct strings at once.

    Arrow's kernels tidy and lower all addresses, find the common shape "street, postcode town"
    and fold its parts; Python makes one ``Address`` per distinct (street, postcode, town), so the
    many spellings of one address share one object, and reads every other address once per
    distinct lowered text. Addresses with a character the kernels do not read as Python does go
    the one-by-one way.

    ``texts``: the same strings as an Arrow array, if the caller has them so.
    """
    if not raws:
        return []
    texts, slow = _arrow_strings(raws, texts)
    low = _lower_kernels(pc.if_else(pa.array(slow), "", texts))
    out = np.empty(len(raws), dtype=object)
    # (street folded, postcode, town folded) -> Address, for the addresses read one by one
    seen: dict[tuple[str, str, str], Address] | None = {} if slow.any() else None
    # the two common shapes: "street, postcode town", and "street, town" with no digit in the town
    # (as _other_address reads it); matching without groups is much faster than extract_regex
    common = ~slow & pc.match_substring_regex(low, f"^(?:{_re2(_STREET_POSTCODE_TOWN)})$").to_numpy(zero_copy_only=False)
    street_town = ~slow & pc.match_substring_regex(low, f"^(?:{_re2(_STREET_TOWN)})$").to_numpy(zero_copy_only=False)
    common |= street_town
    if common.any():
        # both shapes have one comma, after the street and before a space; then "123 45 town",
        # "12345 town" or the town
        street_part, rest = _split_at(pc.filter(low, pa.array(common)), ", ")
        spaced = pc.equal(pc.utf8_slice_codeunits(rest, 3, 4), " ")
        postcode = pc.if_else(
            spaced,
            pc.binary_join_element_wise(pc.utf8_slice_codeunits(rest, 0, 3), pc.utf8_slice_codeunits(rest, 4, 6), ""),
            pc.utf8_slice_codeunits(rest, 0, 5),
        )
        town_part = pc.if_else(spaced, pc.utf8_slice_codeunits(rest, 6), pc.utf8_slice_codeunits(rest, 5))
        with_postcode = pa.array(~street_town[common])
        postcode, town_part = pc.if_else(with_postcode, postcode, ""), pc.if_else(with_postcode, town_part, rest)
        out[common] = _common_addresses(street_part, postcode, town_part, seen)
    rows = np.flatnonzero(~common & ~slow)
    if rows.size:
        lows = pc.dictionary_encode(low.take(pa.array(rows)))
        read = [_other_address(x) if x else EMPTY_ADDRESS for x in lows.dictionary.to_pylist()]
        out[rows] = _objects(read)[lows.indices.to_numpy(zero_copy_only=False)]
    for i in np.flatnonzero(slow).tolist():
        low_i = _lower(raws[i])
        if m := _STREET_POSTCODE_TOWN.fullmatch(low_i):
            street_part, postcode_3, postcode_2, town_part = m.groups()
            key = (_street("" if street_part.startswith("c/o") else street_part)[0], postcode_3 + postcode_2, _fold_part(town_part))
            out[i] = seen[key] if key in seen else seen.setdefault(key, _common_address(*m.groups()))
        else:
            out[i] = _other_address(low_i) if low_i else EMPTY_ADDRESS
    return out.tolist()


def _read_distinct(texts: pa.Array, read) -> tuple[np.ndarray, pa.Array]:
    """``read`` (strings to strings, one for one) applied to each distinct string once: the position
    of each string's result in the distinct results, and those."""
    raw = pc.dictionary_encode(texts)
    results = pc.dictionary_encode(read(raw.dictionary))
    codes = results.indices.to_numpy(zero_copy_only=False)[raw.indices.to_numpy(zero_copy_only=False)]
    return codes, results.dictionary


def _split_at(texts: pa.Array, separator: str) -> tuple[pa.Array, pa.Array]:
    """What comes before the first ``separator`` and what after (strings that have it)."""
    halves = pc.split_pattern(texts, separator, max_splits=1)
    return pc.list_element(halves, 0), pc.list_element(halves, 1)


def _common_addresses(
    street_part: pa.Array, postcode: pa.Array, town_part: pa.Array, seen: dict[tuple[str, str, str], Address] | None
) -> np.ndarray:
    """``_address`` of street parts (not folded, "c/o ..." for none), postcodes and town parts (not
    folded), as an array of objects; ``seen``, if given, gets them by (street folded, postcode,
    town folded)."""
    street_codes, streets = _read_distinct(
        street_part,
        lambda p: _replace_regex(_fold_kernels(pc.if_else(pc.starts_with(p, "c/o"), "", p)), _re2(_ENTRANCE), r"\1\2"),
    )
    postcode_codes, postcodes = _read_distinct(postcode, lambda p: p)
    town_codes, towns = _read_distinct(town_part, _fold_kernels)
    # a street's words without numbers, and its numbers (the words that begin with a digit), as _street
    words = pc.split_pattern(streets, " ")
    flat, parents = pc.list_flatten(words), pc.list_parent_indices(words)
    is_number = pc.match_substring_regex(flat, "^[0-9]")
    is_word = pc.and_(pc.invert(is_number), pc.not_equal(flat, ""))
    n = len(streets)
    street_words = pc.binary_join(_lists(pc.filter(parents, is_word), pc.filter(flat, is_word), n), " ")
    numbers = pc.binary_join(_lists(pc.filter(parents, is_number), pc.filter(flat, is_number), n), " ")
    street_texts = streets.to_pylist()
    street_words = [_shared_value(w) for w in street_words.to_pylist()]
    numbers = [_shared_value(tuple(x.split())) for x in numbers.to_pylist()]
    postcodes_u = [_shared_value(p) for p in postcodes.to_pylist()]
    towns_u = [_shared_value(t) for t in towns.to_pylist()]
    # one Address per distinct (street, postcode, town)
    n_postcodes, n_towns = len(postcodes_u), len(towns_u)
    codes = (street_codes.astype(np.int64) * n_postcodes + postcode_codes) * n_towns + town_codes
    distinct, codes = np.unique(codes, return_inverse=True)
    addresses = []
    for s, p, t in zip(
        (distinct // (n_postcodes * n_towns)).tolist(), (distinct // n_towns % n_postcodes).tolist(), (distinct % n_towns).tolist(), strict=True
    ):
        addresses.append(_new_address(street_texts[s], street_words[s], numbers[s], postcodes_u[p], towns_u[t]))
        if seen is not None:
            seen[(street_texts[s], postcodes_u[p], towns_u[t])] = addresses[-1]
    return _objects(addresses)[codes]


def _lower(raw: str) -> str:
    """The address with whitespace tidied, case folded and the street abbreviations written out."""
    low = " ".join(str(raw).split()).casefold()
    for abbreviation, pattern, repl in _STREET_ABBREVIATIONS:
        if abbreviation in low:
            low = pattern.sub(repl, low)
    return low


def _common_address(street_part: str, postcode_3: str, postcode_2: str, town_part: str) -> Address:
    """The ``Address`` of the groups of ``_STREET_POSTCODE_TOWN``: as ``_other_address`` reads
    those two parts."""
    return _address("" if street_part.startswith("c/o") else street_part, postcode_3 + postcode_2, _fold_part(town_part))


def _other_address(low: str) -> Address:
    """The ``Address`` of any address but an empty one, from ``_lower``."""
    parts = [p.strip() for p in low.split(",") if p.strip()]
    postcode = town = ""
    street_parts: list[str] = []
    for idx, part in enumerate(parts):
        if not postcode and (idx > 0 or len(parts) == 1) and (m := _POSTCODE.search(part)):
            postcode = m.group(1) + m.group(2)
            town = _fold_part(part[m.end() :])
            before = part[: m.start()].strip()
            if before:
                street_parts.append(before)
        elif idx == len(parts) - 1 and idx > 0 and not postcode and not _DIGITS.search(part):
            town = _fold_part(part)
        else:
            street_parts.append(part)
    if not street_parts and not postcode and len(parts) == 1:
        street_parts = parts
    return _address(" ".join(p for p in street_parts if not p.startswith("c/o")), postcode, town)


def _address(street_part: str, postcode: str, town: str) -> Address:
    """The ``Address`` of a street part (not yet folded), a postcode and a folded town."""
    return _new_address(*_street(street_part), _shared_value(postcode), town)


def _new_address(street_text: str, street: str, numbers: tuple[str, ...], postcode: str, town: str) -> Address:
    """The ``Address`` of the folded street, its words without numbers, its numbers, postcode and town."""
    return Address(" ".join([x for x in (street_text, postcode, town) if x]), street, numbers, postcode, town)


# An address's parts recur in many spellings of it (postcode with or without its space, no
# postcode, capitals): each part is read once. link_records clears these caches with parse_address's.
@lru_cache(maxsize=200_000)
def _street(text: str) -> tuple[str, str, tuple[str, ...]]:
    """The street part of an address: folded ("22 B" as "22b", one house number), its words
    without numbers, and its numbers."""
    street_text = fold(text)
    if _ENTRANCE.search(street_text):  # rare: sub would parse its template on every call
        street_text = _ENTRANCE.sub(r"\1\2", street_text)
    words = street_text.split()
    numbers = tuple([t for t in words if t[0].isdigit()])
    street = " ".join([t for t in words if not t[0].isdigit()])
    return street_text, _shared_value(street), _shared_value(numbers)


@lru_cache(maxsize=50_000)
def _fold_part(text: str) -> str:
    """A town part of an address, folded."""
    return _shared_value(fold(text))


_VALUES: dict = {}


def _shared_value(value):
    """One object per distinct street, town, postcode, numbers: half a million addresses share them."""
    return _VALUES.setdefault(value, value)


def forget_shared_values() -> None:
    """Drop the shared values and the address parts read (``link_records`` calls this when it is done)."""
    _VALUES.clear()
    _street.cache_clear()
    _fold_part.cache_clear()
