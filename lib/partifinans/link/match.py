"""Block, compare and cluster donor records into entities.

The steps, strongest evidence first (each accepted link is recorded with its rule and score):

1. ``judgement_same``: a human said two records are the same (``judgements.py``).
2. ``same_identifier``: the same valid organisationsnummer or personnummer (pseudonym).
3. ``same_name`` (organisations) / ``same_name_address`` (persons and donors of unknown kind): the
   same normalised name; persons also need a matching address (a name alone: step 5).
4. ``fuzzy_name`` / ``fuzzy_name_address``: similar names (rapidfuzz ratio on the sorted name
   words) within blocks that share a rare name word, so the work grows with the number of records,
   not its square.
5. ``weighed_evidence``: person clusters the rules left apart, weighed Fellegi-Sunter style
   (``weigh.py``): merged at a match probability of at least 95 %, the band below for review.

Clustering is union-find with cannot-link constraints checked at every merge, so that no chain of
links can break them: a cluster never holds two different valid identity numbers, never two groups
a human judged ``different``; and a name link never joins a person with an organisation, two
different legal forms (AB / HB), or names whose markers differ ("Holding", "Stiftelsen",
"Föreningen"). Records are processed in ``record_id`` order, so the result does not depend on the
order of rows in the input.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from .. import privacy
from .judgements import Judgement
from .normalise import (
    Address,
    Name,
    _objects,
    display_name,
    display_names,
    fold,
    fold_many,
    forget_shared_values,
    identifiers_in_names,
    normalise_identifiers,
    parse_address,
    parse_addresses,
    parse_name,
    parse_names,
)

# Scores are rapidfuzz ratios (0-100) on the sorted, folded name words.
ORG_LINK_SCORE = 90  # organisations: at or above this, same entity
PERSON_LINK_SCORE = 90  # persons: at or above this AND a matching address
REVIEW_SCORE = 80  # from here up to the link score: listed for review (uncertain_pairs)
WORD_SCORE = 80  # each differing word of two similar names must score at least this
ADDRESS_STREET_SCORE = 85  # street words of two addresses with the same numbers
MAX_UNIT_PAIRS = 2500  # two similar names held by many associations in many towns: compare within towns
BLOCK_CAP = 100  # names per block compared all-against-all; larger blocks are windowed
BLOCK_KEYS_PER_NAME = 2  # a name is put in the blocks of its rarest words ...
PREFIX_LENGTH = 4  # ... and of those words' first letters

RULE_EVIDENCE = {
    "judgement_same": "a human judged them the same (judgements.csv)",
    "same_identifier": "the same organisationsnummer or personnummer",
    "same_name": "the same organisation name",
    "same_name_address": "the same name at the same address",
    "fuzzy_name": "a similar organisation name",
    "fuzzy_name_address": "a similar name at the same address",
}

# Each rule in plain words, for readers of links.parquet (notebook 02's rule table reads this).
RULE_MEANINGS = {
    "judgement_same": "a human judged the records to be the same donor (data/manual/judgements.csv)",
    "same_identifier": "the same valid organisationsnummer or personnummer",
    "same_name": "the same organisation name after normalising case, spacing, diacritics and AB/Aktiebolag",
    "same_name_address": "the same person name and the same address",
    "fuzzy_name": "a similar organisation name (score of 90 or more out of 100)",
    "fuzzy_name_address": "a similar person name and the same address",
    "weighed_evidence": "a person's records weighed together (name rarity, short forms of first names, "
                        "address, recipient, years): a match probability of 95 % or more",
    "alone": "not linked to any other record (a donor seen once)",
}

KIND_VALUES = {
    "person": "person",
    "privatperson": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "unknown": "",
    "": "",
}

_EMPTY: frozenset = frozenset()
_interned: dict = {}


def _one(value) -> frozenset:
    fs = _interned.get(value)
    if fs is None:
        fs = _interned[value] = frozenset((value,))
    return fs


def _fset(values) -> frozenset:
    values = frozenset(values)
    if not values:
        return _EMPTY
    return _interned.setdefault(values, values)


@dataclass
class Linkage:
    """What ``link_records`` found.

    - ``links``: one row per input record: record_id, entity_id, rule, score, linked_to (the
      record it was linked to by that rule; null when alone).
    - ``entities``: entity_id, canonical_name, kind, identifiers, n_records, first_year, last_year.
    - ``uncertain``: pairs for human review (see ``uncertain_pairs``).
    - ``warnings``: judgements that could not be applied, and similar, one line each.
    """

    links: pd.DataFrame
    entities: pd.DataFrame
    uncertain: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


class _Clusters:
    """Union-find whose roots carry the sets the cannot-link rules look at."""

    # attrs per root: (identifiers, legal forms, kinds, marker signatures, judgement tags)
    def __init__(self, attrs: list[tuple]):
        self.parent = list(range(len(attrs)))
        self.size = [1] * len(attrs)
        self.attrs = attrs
        self.rule: list[str | None] = [None] * len(attrs)
        self.score: list[float | None] = [None] * len(attrs)
        self.linked: list[int] = [-1] * len(attrs)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def roots(self) -> np.ndarray:
        """Every element's root (``find`` of each), by pointer jumping in numpy."""
        roots = np.asarray(self.parent, dtype=np.int64)
        while True:
            up = roots[roots]
            if np.array_equal(up, roots):
                return roots
            roots = up

    def refusal(self, ra: int, rb: int, strict: bool) -> str | None:
        ids_a, forms_a, kinds_a, sigs_a, tags_a = self.attrs[ra]
        ids_b, forms_b, kinds_b, sigs_b, tags_b = self.attrs[rb]
        if ids_a and ids_b and ids_a != ids_b:
            return "different identifiers"
        if tags_a and tags_b and any((j, 1 - s) in tags_b for j, s in tags_a):
            return "judged different"
        if strict:
            if kinds_a and kinds_b and not (kinds_a & kinds_b):
                return "person and organisation"
            if forms_a and forms_b and not (forms_a & forms_b):
                return "different legal forms"
            if not (sigs_a & sigs_b):
                return "different markers"
        return None

    def union(self, a: int, b: int, rule: str, score: float, strict: bool) -> str | None:
        """Merge the clusters of ``a`` and ``b`` unless a rule forbids it; returns the refusal or None."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        why = self.refusal(ra, rb, strict)
        if why:
            return why
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        xa, xb = self.attrs[ra], self.attrs[rb]
        if xb is not xa:  # records without an identity number mostly share one tuple
            self.attrs[ra] = tuple(p if q <= p else _fset(p | q) for p, q in zip(xa, xb, strict=True))
        self.attrs[rb] = None
        for i, j in ((a, b), (b, a)):
            if self.rule[i] is None:
                self.rule[i], self.score[i], self.linked[i] = rule, score, j
        return None


@dataclass
class _Records:
    """The input, sorted by record_id, with everything the rules look at, one list per field."""

    record_id: pa.Array  # Arrow strings, sorted: no Python string per record
    name_text: list[str]  # per name code: the name as printed (stripped)
    ident: list[str | None]
    ident_values: np.ndarray  # the same, as an array of objects
    kind: list[str]
    names: list[Name]
    addresses: list[Address]
    year: list
    year_values: pd.api.extensions.ExtensionArray  # the same, as Int64
    person_like: list[bool]
    recipient: list[str]
    name_code: np.ndarray  # per record: its position in distinct_names
    distinct_names: list[Name]
    address_code: np.ndarray  # per record: its position in distinct_addresses
    distinct_addresses: list[Address]


def prepare(records: pd.DataFrame) -> _Records:
    """Normalise names, identifiers, kinds and addresses.

    Each text column is held as integer codes into its distinct values (stripped), and each
    distinct value is read once: a million records hold far fewer distinct spellings, and equal
    values share one Python object. Nothing is copied per record before that.
    """
    n = len(records)
    record_id, order = _sorted_ids(records["record_id"] if "record_id" in records.columns else None, n)
    text = {col: _distinct(records[col] if col in records.columns else None, n) for col in _TEXT_COLUMNS}
    arrow_text = {col: text[col][2] for col in _TEXT_COLUMNS}  # the distinct values in Arrow, if read so
    codes = {col: text[col][0][order] for col in _TEXT_COLUMNS}
    kind_values = text["kind"][1]
    kind_u = [KIND_VALUES.get(k.casefold(), None) for k in kind_values]
    bad = [k for k, g in zip(kind_values, kind_u, strict=True) if g is None]
    if bad:
        raise ValueError(f"kind must be person, organisation or empty, not {bad[0]!r}")
    name_u = text["name"][1]
    name_codes = codes["name"]
    parsed_u = parse_names(name_u, arrow_text["name"])
    # identity number: the donor_id column, else one written inside the name
    id_u = normalise_identifiers(text["donor_id"][1], arrow_text["donor_id"])
    ident = _objects([v[0] for v in id_u])[codes["donor_id"]]
    id_kind = _objects([v[1] for v in id_u])[codes["donor_id"]]
    no_ident = np.array([v[0] is None for v in id_u], dtype=bool)[codes["donor_id"]]
    has_name = np.array([bool(v) for v in name_u], dtype=bool)[name_codes]
    look_in_name = no_ident & has_name
    if look_in_name.any():
        wanted = _unique(name_codes[look_in_name])
        found = identifiers_in_names(_take(name_u, wanted))
        found = normalise_identifiers(found)
        ident_in_name, kind_in_name = _objects([None] * len(name_u)), _objects([None] * len(name_u))
        ident_in_name[wanted] = _objects([v[0] for v in found])
        kind_in_name[wanted] = _objects([v[1] for v in found])
        rows = np.flatnonzero(look_in_name)
        ident[rows] = ident_in_name[name_codes[rows]]
        id_kind[rows] = kind_in_name[name_codes[rows]]
    # kind: as given, else from the identity number, else "organisation" if the name has
    # legal-form or marker words
    kind = _objects(kind_u)[codes["kind"]]
    from_name = _objects(["", "organisation"])[
        np.array([nm.looks_like_organisation for nm in parsed_u], dtype=np.intp)[name_codes]
    ]
    kind = np.where(kind != "", kind, np.where(id_kind != None, id_kind, from_name))  # noqa: E711
    kinds = kind.tolist()
    year = records["year"] if "year" in records.columns else pd.Series(pd.NA, index=records.index)
    year = pd.to_numeric(year, errors="coerce").astype("Int64").iloc[order]
    addresses_u = parse_addresses(text["address"][1], arrow_text["address"])
    forget_shared_values()  # the address parts read: needed while reading, and a million records hold many
    return _Records(
        record_id=record_id,
        name_text=name_u,
        ident=ident.tolist(),
        ident_values=ident,
        kind=kinds,
        names=_take(parsed_u, name_codes),
        addresses=_take(addresses_u, codes["address"]),
        year=_map_column(year),
        year_values=year.array,
        person_like=[k != "organisation" for k in kinds],
        recipient=_take([fold(v) for v in text["recipient"][1]], codes["recipient"]),
        name_code=name_codes,
        distinct_names=parsed_u,
        address_code=codes["address"],
        distinct_addresses=addresses_u,
    )


_TEXT_COLUMNS = ("name", "donor_id", "address", "kind", "recipient")
# every character str.strip() removes (str.isspace(); none lies above U+3000)
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def _sorted_ids(column: pd.Series | None, n: int) -> tuple[pa.Array, np.ndarray]:
    """The record ids (stripped, missing: "") in sorted order, and the records' positions in that
    order. Arrow's kernels do the stripping and sorting (UTF-8 bytes sort as Python sorts str),
    so a million ids never become Python strings. Raises ``ValueError`` for a duplicated id."""
    if column is None:
        ids = pa.array([""] * n, type=pa.string())
    elif isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        ids = pa.array(column)
    else:  # other values as str() writes them
        codes, values = pd.factorize(column)  # missing: code -1, which picks the null appended
        ids = pa.array([str(v) for v in values.tolist()] + [None], type=pa.string()).take(codes % (len(values) + 1))
    ids = pc.utf8_trim(pc.fill_null(ids, ""), characters=_WHITESPACE)
    order = pc.sort_indices(ids)
    ids = ids.take(order)
    if n > 1:
        first_dup = pc.index(pc.equal(ids.slice(1), ids.slice(0, n - 1)), True).as_py()
        if first_dup >= 0:
            raise ValueError(f"record_id {ids[first_dup].as_py()!r} occurs more than once")
    return ids, order.to_numpy()


def _distinct(column: pd.Series | None, n: int) -> tuple[np.ndarray, list[str], pa.Array | None]:
    """Integer codes and the distinct values of a text column, as stripped strings (missing: ""),
    and those values as an Arrow array if the column was read with Arrow (else None)."""
    if column is None:
        return np.zeros(n, dtype=np.intp), [""], None
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        # Arrow's kernels: a million values never become Python strings, the distinct ones do
        values = pa.array(column)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = values.dictionary_encode()  # the values in order of first appearance, as factorize
        stripped = pc.utf8_trim(encoded.dictionary, characters=_WHITESPACE)
        merged = pa.concat_arrays([stripped, pa.array([""], type=stripped.type)]).dictionary_encode()
        codes = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()  # missing: the ""
        return merged.indices.to_numpy()[codes], merged.dictionary.to_pylist(), merged.dictionary
    codes, values = pd.factorize(column)  # missing values: code -1, which picks the "" appended
    stripped = [str(v).strip() for v in values.tolist()] + [""]
    merged, distinct = pd.factorize(pd.Series(stripped, dtype=object))  # " a" and "a" are one value
    return merged[codes], distinct.tolist(), None


def _unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting: numpy 2.3 and later hash instead, which at a million
    integers takes ten times as long."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _grouped(rows: np.ndarray, codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rows`` grouped by their ``codes`` (0 to n - 1), each group in the order of ``rows``:
    the rows in group order, and where each group starts and ends among them."""
    counts = np.bincount(codes, minlength=n)
    ends = np.cumsum(counts)
    return rows[np.argsort(codes, kind="stable")], ends - counts, ends


def _split(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[list[int]]:
    """The groups of ``_grouped`` as lists."""
    rows = rows.tolist()
    return [rows[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]


def _ranks(texts) -> tuple[np.ndarray, np.ndarray]:
    """Per string (an Arrow array, or anything ``pa.array`` reads as strings), its position in
    sorted order, and the sorted order itself (positions), sorted by Arrow's kernels: UTF-8 bytes
    sort as Python sorts str."""
    order = pc.sort_indices(texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank, order


def _sorted_codes(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """``pd.factorize(values, sort=True)`` for Arrow strings: per value its position among the
    distinct values, and the distinct values in sorted order, by Arrow's kernels instead of
    comparisons of Python strings."""
    encoded = values.dictionary_encode()
    rank, order = _ranks(encoded.dictionary)
    return rank[encoded.indices.to_numpy()], encoded.dictionary.take(order)


def _take(values: list, codes: np.ndarray) -> list:
    """``[values[c] for c in codes]`` in C."""
    return _objects(values)[codes].tolist()


def _map_column(column: pd.Series) -> list:
    """``column.tolist()`` with one Python object per distinct value (a million years are ten)."""
    codes, values = pd.factorize(column)  # missing: code -1, which picks the pd.NA appended
    return _take(values.tolist() + [pd.NA], codes)


def _initial_attrs(recs: _Records, ident_codes: np.ndarray, idents: list[str]) -> list[tuple]:
    """Each record's cluster attributes (see ``_Clusters``): one tuple per distinct combination
    of identity number, legal forms, markers and kind, shared by the records that have it.
    ``ident_codes``: per record, its number's position in ``idents`` (none: -1)."""
    features: dict[tuple, int] = {}  # (legal forms, markers) of the distinct names: a few dozen
    feature_of_name = np.array(
        [features.setdefault((nm.legal_forms, nm.markers), len(features)) for nm in recs.distinct_names],
        dtype=np.int64,
    )
    kind_codes, kinds = pd.factorize(_objects(recs.kind))
    combination = (
        (ident_codes.astype(np.int64) + 1) * len(features) + feature_of_name[recs.name_code]
    ) * len(kinds) + kind_codes
    codes, distinct = pd.factorize(combination)
    feature_values = list(features)
    attrs = []
    for c in distinct.tolist():
        c, kind = divmod(c, len(kinds))
        ident, feature = divmod(c, len(features))
        forms, markers = feature_values[feature]
        kind = kinds[kind]
        attrs.append(
            (
                _one(idents[ident - 1]) if ident else _EMPTY,
                _fset(forms) if forms else _EMPTY,
                _one(kind) if kind else _EMPTY,
                _one(markers),
                _EMPTY,
            )
        )
    return _take(attrs, codes)


def words_agree(a: str, b: str) -> bool:
    """Two names (sorted words) differ only by spelling, not by a word: the same number of
    words, short words (4 letters or fewer: "Jan" / "Jon", "Syd" / "Öst") identical, longer
    words alike ("Lindqvist" / "Lindkvist", "Exempelbolag" / "Exempelbolaget"), so that a high
    score over shared generic words ("Mat i Exempelstad") does not join two different firms, nor
    father and son at one address."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    for x, y in zip(wa, wb, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) <= 4 or fuzz.ratio(x, y) < WORD_SCORE:
            return False
    return True


def address_match(a: Address, b: Address) -> bool:
    """Two printed addresses of the same home: same numbers, same postcode and town where both
    give one, street words alike. A town alone never matches."""
    if not (a.is_specific and b.is_specific) or a.numbers != b.numbers:
        return False
    if not a.numbers and a.postcode != b.postcode:
        return False
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return False
    if a.town and b.town and a.town != b.town and fuzz.ratio(a.town, b.town) < 90:
        return False
    return a.street == b.street or fuzz.ratio(a.street, b.street) >= ADDRESS_STREET_SCORE


class _Linker:
    def __init__(self, recs: _Records, judgements: list[Judgement]):
        self.recs = recs
        ident_codes, idents = pd.factorize(recs.ident_values)  # none: -1
        idents = idents.tolist()
        self.uf = _Clusters(_initial_attrs(recs, ident_codes, idents))
        self.judgements = judgements
        self.warnings: list[str] = []
        self.uncertain: list[tuple[int, int, str, float, str]] = []
        self.evidence: dict[tuple[int, int], str] = {}
        self.judged_pairs: set[tuple[int, int]] = set()
        # records per identity number, in order of their first record
        rows = np.flatnonzero(ident_codes >= 0)
        self.by_ident: dict[str, list[int]] = defaultdict(list)
        self.by_ident.update(zip(idents, _split(*_grouped(rows, ident_codes[rows], len(idents))), strict=True))

    # 1. judgements -------------------------------------------------------------------------
    def _resolve(self, ref) -> list[int]:
        if ref.kind == "record":
            ids = self.recs.record_id  # sorted: found by bisection, no index of a million ids
            i = bisect.bisect_left(range(len(ids)), ref.value, key=lambda k: ids[k].as_py())
            return [i] if i < len(ids) and ids[i].as_py() == ref.value else []
        return list(self.by_ident.get(ref.value, []))

    def apply_judgements(self) -> None:
        uf = self.uf
        sames = []
        absent = 0
        for j_no, j in enumerate(self.judgements):
            left, right = self._resolve(j.left), self._resolve(j.right)
            if not left or not right:
                absent += 1  # about records not in this input: nothing to do
                continue
            for a in left[:50]:
                for b in right[:50]:
                    self.judged_pairs.add((min(a, b), max(a, b)))
            if j.judgement == "different":
                overlap = set(left) & set(right)
                if overlap:
                    self.warnings.append(
                        f"judgements line {j.line}: 'different' names the same record on both sides; ignored"
                    )
                    continue
                for side, members in ((0, left), (1, right)):
                    for i in members:
                        root = uf.find(i)
                        ids, forms, kinds, sigs, tags = uf.attrs[root]
                        uf.attrs[root] = (ids, forms, kinds, sigs, _fset(tags | {(j_no, side)}))
            elif j.judgement == "same":
                sames.append((j, sorted(set(left) | set(right))))
        if absent:
            self.warnings.append(
                f"{absent} of {len(self.judgements)} judgements name records that are not in this input (ignored)"
            )
        for j, members in sames:
            for i in members[1:]:
                why = uf.union(members[0], i, "judgement_same", 100.0, strict=False)
                if why:
                    self.warnings.append(f"judgements line {j.line}: 'same' not applied ({why})")

    # 2. identifiers ------------------------------------------------------------------------
    def link_identifiers(self) -> None:
        for members in self.by_ident.values():
            for i in members[1:]:
                self.uf.union(members[0], i, "same_identifier", 100.0, strict=False)

    # 3. exact names --------------------------------------------------------------------------
    def _link_same(self, members: list[int], rule: str) -> None:
        """Link records judged alike by name; if they carry two or more different identity
        numbers, a record without one could belong to either: link only those without, list the
        rest for review."""
        ids = {self.recs.ident[i] for i in members if self.recs.ident[i]}
        if len(ids) > 1:
            without = [i for i in members if not self.recs.ident[i]]
            for i in without[1:]:
                self.uf.union(without[0], i, rule, 100.0, strict=True)
            if without:
                seen = set()
                for i in members:
                    ident = self.recs.ident[i]
                    if ident and ident not in seen:
                        seen.add(ident)
                        self.uncertain.append(
                            (without[0], i, rule, 100.0, "same name, several identity numbers")
                        )
            return
        for i in members[1:]:
            self.uf.union(members[0], i, rule, 100.0, strict=True)

    def link_exact_names(self) -> None:
        recs = self.recs
        # groups of records with one name key (and person-like or not), in order of first record
        key_of_name = pd.Series(
            [nm.key + "|" + ",".join(sorted(nm.legal_forms)) if nm.core else None for nm in recs.distinct_names],
            dtype=object,
        )
        key_codes, key_values = pd.factorize(key_of_name)  # no name words: -1
        record_key = key_codes[recs.name_code]
        rows = np.flatnonzero(record_key >= 0)
        group_of_row, group_ids = pd.factorize(record_key[rows] * 2 + np.asarray(recs.person_like, dtype=bool)[rows])
        by_group, starts, ends = _grouped(rows, group_of_row, len(group_ids))
        # groups whose records are all in one cluster already (one identity number): every link
        # within them would be a no-op, so their units are not made here
        roots = self.uf.roots()[by_group]
        one_cluster = (
            np.minimum.reduceat(roots, starts) == np.maximum.reduceat(roots, starts)
            if len(roots)
            else np.zeros(0, dtype=bool)
        ).tolist()
        del roots
        self.group_members = _split(by_group, starts, ends)
        self.group_person = group_ids % 2 == 1  # per group: person-like (or not)
        # per group: the rank of (person-like, name key) in sorted order, the order in which
        # similar names are taken; the keys themselves are not kept (UTF-8 sorts as Python sorts str)
        key_rank = _ranks(key_values)[0]
        self.group_rank = np.empty(len(group_ids), dtype=np.int64)
        self.group_rank[np.lexsort((key_rank[group_ids // 2], self.group_person))] = np.arange(len(group_ids))
        del key_values, key_of_name
        self._index_person_blocks(rows, group_of_row, self.group_person)
        self._units: list = [None] * len(self.group_members)  # units per name group, by its position
        for g, person_like in enumerate(self.group_person.tolist()):
            if len(self.group_members[g]) < 2 or one_cluster[g]:
                continue  # nothing to link (its units are made if a similar name needs them)
            if person_like:
                for block in self._person_units(g).values():
                    if len(block) < 2:
                        continue
                    for reps in self._address_units(block):
                        if len(reps) > 1:
                            self._link_same(reps, "same_name_address")
            else:
                for unit in self._org_units(g):
                    if len(unit) > 1:
                        self._link_same(unit, "same_name")

    def _index_person_blocks(self, rows: np.ndarray, group_of_row: np.ndarray, person_group: np.ndarray) -> None:
        """The address blocks (``Address.block``) each person group gives, as sorted integer keys
        ``group * n_blocks + block``: which pairs of similar names can meet at an address is then
        one look-up in numpy (``_share_address_block``)."""
        recs = self.recs
        block_of_address = pd.factorize(
            pd.Series([a.block if a.is_specific else None for a in recs.distinct_addresses], dtype=object)
        )[0]  # not specific: -1
        # per record, for _compute_person_units (a list: it is read a few records at a time)
        self._record_block = block_of_address[recs.address_code].tolist()
        block = block_of_address[recs.address_code[rows]]
        keep = person_group[group_of_row] & (block >= 0)
        self._n_blocks = max(int(block_of_address.max()) + 1, 1)
        self._group_blocks = _unique(group_of_row[keep].astype(np.int64) * self._n_blocks + block[keep])

    def _share_address_block(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per pair of person groups ``x[k]``, ``y[k]``: whether the two give addresses in one block,
        without which ``_person_pairs`` finds no pair (a ragged join in numpy)."""
        keys, n_blocks = self._group_blocks, self._n_blocks
        group = keys // n_blocks
        starts = np.searchsorted(group, x, "left")
        counts = np.searchsorted(group, x, "right") - starts
        pair = np.repeat(np.arange(len(x)), counts)
        within = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
        wanted = y[pair] * n_blocks + keys[np.repeat(starts, counts) + within] % n_blocks
        found = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        out = np.zeros(len(x), dtype=bool)
        if len(keys):
            out[pair[keys[found] == wanted]] = True
        return out

    def _org_units(self, g: int) -> list[list[int]]:
        units = self._units[g]
        if units is None:
            units = self._units[g] = self._compute_org_units(self.group_members[g])
        return units

    def _person_units(self, g: int) -> dict[int, list[int]]:
        units = self._units[g]
        if units is None:
            units = self._units[g] = self._compute_person_units(self.group_members[g])
        return units

    def _compute_org_units(self, members: list[int]) -> list[list[int]]:
        """Organisation records with the same name: one unit, unless they are not aktiebolag and
        give two or more different towns (associations and foundations share names across the
        country); then one unit per town, and those without a town stay apart."""
        recs = self.recs
        by_place: dict[str, list[int]] = defaultdict(list)
        for i in members:
            by_place[recs.addresses[i].place].append(i)
        places = [p for p in by_place if p]
        is_ab = any("aktiebolag" in recs.names[i].legal_forms for i in members)
        if len(places) <= 1 or is_ab:
            return [members]
        return [by_place[p] for p in sorted(places)] + [[i] for i in by_place.get("", [])]

    def _compute_person_units(self, members: list[int]) -> dict[int, list[int]]:
        """Person records of one name, by address block (its number; records without a usable
        address left out)."""
        blocks: dict[int, list[int]] = defaultdict(list)
        record_block = self._record_block
        for i in members:
            block = record_block[i]
            if block >= 0:
                blocks[block].append(i)
        return blocks

    def _address_units(self, block: list[int]) -> list[list[int]]:
        """Group records of one address block whose addresses match (exact key first, then fuzzy)."""
        recs = self.recs
        by_key: dict[str, list[int]] = defaultdict(list)
        for i in block:
            by_key[recs.addresses[i].key].append(i)
        keys = sorted(by_key)
        # union-find over the distinct addresses of this block (small)
        parent = list(range(len(keys)))

        def find(x: int) -> int:
            while parent[x] != x:
                x = parent[x]
            return x

        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                if find(x) != find(y) and address_match(
                    recs.addresses[by_key[keys[x]][0]], recs.addresses[by_key[keys[y]][0]]
                ):
                    parent[find(y)] = find(x)
        units: dict[int, list[int]] = defaultdict(list)
        for x, k in enumerate(keys):
            units[find(x)].extend(by_key[k])
        return [sorted(u) for u in units.values()]

    # 4. similar names ------------------------------------------------------------------------
    def link_similar_names(self) -> None:
        recs = self.recs
        group_person = self.group_person.tolist()
        firsts = [recs.names[members[0]] for members in self.group_members]
        core_codes, core_text = _sorted_codes(pa.array([nm.core for nm in firsts], type=pa.string()))
        cores = core_text.to_pylist()
        # rank of each group key in sorted order: candidates are taken best score first, then by key
        rank = self.group_rank
        # two groups are compared only if both are persons (or both not), with the same markers
        # and the same numbers in the name
        sort_of: dict[tuple, int] = {}
        sort_codes = np.array(
            [
                sort_of.setdefault((p, nm.markers, nm.numbers), len(sort_of))
                for p, nm in zip(group_person, firsts, strict=True)
            ],
            dtype=np.int64,
        )
        a, b, score = similar_pairs(cores, REVIEW_SCORE, core_text)
        # the same words with and without a legal form ("Exempel AB", "Exempel") are groups of one core
        n_groups = np.bincount(core_codes, minlength=len(cores))
        same = np.flatnonzero(n_groups > 1)
        a, b, score = np.r_[a, same], np.r_[b, same], np.r_[score, np.full(len(same), 100.0)]
        ga, gb, row = _pairs_of_groups(core_codes, a, b)
        keep = (sort_codes[ga] == sort_codes[gb]) & ((a[row] != b[row]) | (rank[ga] < rank[gb]))
        ga, gb, row = ga[keep], gb[keep], row[keep]
        first = np.where(rank[ga] < rank[gb], ga, gb)
        second = np.where(rank[ga] < rank[gb], gb, ga)
        del ga, gb, keep
        # persons: only names that meet at an address block can give a pair
        person = self.group_person[first]
        meet = ~person
        meet[person] = self._share_address_block(first[person], second[person])
        # organisations: not two clusters that hold two different identity numbers already (they
        # can neither be joined nor listed, and a cluster's number never changes once it has one)
        meet &= ~self._numbered_apart(first, second, person)
        row, first, second, person = row[meet], first[meet], second[meet], person[meet]
        cand_a, cand_b, cand_score = a[row], b[row], score[row]
        del a, b, score, row
        # names whose words disagree ("Jan" / "Jon") are only listed for review: asked where the
        # score is high enough to link, of names with as many words
        n_words = np.array([c.count(" ") + 1 for c in cores])
        link_score = np.where(person, PERSON_LINK_SCORE, ORG_LINK_SCORE)
        maybe = np.flatnonzero((n_words[cand_a] == n_words[cand_b]) & (cand_score >= link_score))
        agrees = np.zeros(len(cand_score), dtype=bool)
        agrees[maybe] = [
            words_agree(cores[x], cores[y]) for x, y in zip(cand_a[maybe].tolist(), cand_b[maybe].tolist(), strict=True)
        ]
        order = np.lexsort((rank[second], rank[first], -cand_score))
        scores = cand_score[order].tolist()
        agrees = agrees[order].tolist()
        for score, x, y, agree in zip(scores, first[order].tolist(), second[order].tolist(), agrees, strict=True):
            person_like = group_person[x]
            threshold = (PERSON_LINK_SCORE if person_like else ORG_LINK_SCORE) if agree else 101
            pairs_ab = self._person_pairs(x, y) if person_like else self._org_pairs(x, y)
            rule = "fuzzy_name_address" if person_like else "fuzzy_name"
            for i, j in pairs_ab:
                if score >= threshold:
                    self.uf.union(i, j, rule, float(score), strict=True)
                elif (
                    self.uf.find(i) != self.uf.find(j)
                    and self.uf.refusal(self.uf.find(i), self.uf.find(j), True) is None
                ):
                    why = "similar names, same address" if person_like else "similar names"
                    self.uncertain.append((i, j, rule, float(score), why))

    def _numbered_apart(self, first: np.ndarray, second: np.ndarray, person: np.ndarray) -> np.ndarray:
        """Per pair of name groups: organisation groups of one unit each whose records are in
        clusters with two different identity numbers (``_org_pairs`` would give that one pair)."""
        number = np.full(len(self.group_members), -1, dtype=np.int64)
        codes: dict[str, int] = {}
        for g in _unique(np.r_[first[~person], second[~person]]).tolist():
            units = self._org_units(g)
            if len(units) == 1:
                ids = self.uf.attrs[self.uf.find(units[0][0])][0]
                if ids:
                    number[g] = codes.setdefault(min(ids), len(codes))
        nx, ny = number[first], number[second]
        return ~person & (nx >= 0) & (ny >= 0) & (nx != ny)

    def _org_pairs(self, ga, gb) -> list[tuple[int, int]]:
        recs = self.recs
        units_a, units_b = self._org_units(ga), self._org_units(gb)
        out = []
        if len(units_a) * len(units_b) > MAX_UNIT_PAIRS:  # a common name in many towns: same town only
            first_b = {}
            for ub in units_b:
                first_b.setdefault(recs.addresses[ub[0]].place, ub[0])
            for ua in units_a:
                place = recs.addresses[ua[0]].place
                if place and place in first_b:
                    out.append((ua[0], first_b[place]))
            return out
        for ua in units_a:
            for ub in units_b:
                pa, pb = recs.addresses[ua[0]].place, recs.addresses[ub[0]].place
                if (
                    not pa
                    or not pb
                    or pa == pb
                    or "aktiebolag" in recs.names[ua[0]].legal_forms
                    or "aktiebolag" in recs.names[ub[0]].legal_forms
                ):
                    out.append((ua[0], ub[0]))
        return out

    def _person_pairs(self, ga, gb) -> list[tuple[int, int]]:
        recs = self.recs
        blocks_a, blocks_b = self._person_units(ga), self._person_units(gb)
        out: list[tuple[int, int]] = []
        if not (blocks_a and blocks_b):
            return out
        for block in blocks_a.keys() & blocks_b.keys():
            firsts_a = {recs.addresses[i].key: i for i in reversed(blocks_a[block])}
            firsts_b = {recs.addresses[i].key: i for i in reversed(blocks_b[block])}
            for i in firsts_a.values():
                for j in firsts_b.values():
                    if address_match(recs.addresses[i], recs.addresses[j]):
                        out.append((i, j))
        return out

    def forget_name_groups(self) -> None:
        """Drop what the name rules needed (groups, their units and address blocks, records per
        identity number): a million records hold a Python list per group, and the memory freed
        here serves the weighing and the output tables instead of adding to the peak."""
        self.group_person = self.group_rank = self.group_members = self._units = self._group_blocks = None
        self._record_block = None
        self.by_ident = defaultdict(list)

    # results --------------------------------------------------------------------------------
    def run(self, stage=lambda name: None) -> None:
        self.apply_judgements()
        self.link_identifiers()
        stage("clusters, judgements, identity numbers")
        self.link_exact_names()
        stage("exact names")
        self.link_similar_names()
        self.forget_name_groups()
        stage("similar names")
        from .weigh import Weigher  # weigh.py reads address_match from this module

        weigher = Weigher(self)
        weigher.run()
        self.evidence = weigher.evidence
        stage("weighed evidence")


def similar_pairs(
    cores: list[str], cutoff: float, text: pa.Array | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of names scoring at least ``cutoff``, found within blocks: arrays ``i``, ``j``
    (``i < j``, sorted) and ``score``. ``cores``: folded names (``Name.core``: words of letters
    and digits, one space between).

    Each name goes into the blocks of its ``BLOCK_KEYS_PER_NAME`` rarest words and of their first
    ``PREFIX_LENGTH`` letters (so "Exempelbolag" meets "Exempelbolaget"). A block is scored
    all-against-all (``rapidfuzz``'s ``ratio``: the pairs of all blocks of up to ``BLOCK_CAP``
    names in a few calls of ``process.cpdist``); a larger block is sorted and scored in
    overlapping windows of that size with ``process.cdist`` (sorted neighbourhood), which keeps
    the cost linear in the number of names. ``text``: the same names as an Arrow array, if the
    caller has them so.
    """
    text = pa.array(cores, type=pa.string()) if text is None else text
    block, member = _name_blocks(text)
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]]) if len(block) else np.empty(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(block)])
    names = _objects(cores)
    # each pair found as one integer: (i * len(cores) + j) * 128 + score (a score is at most 100);
    # a pair met in several blocks has the same score in each, so duplicates are equal integers
    found: list[np.ndarray] = []

    def keep(a: np.ndarray, b: np.ndarray, scores: np.ndarray) -> None:
        hit = np.flatnonzero(scores)
        a, b = a[hit], b[hit]
        found.append((np.minimum(a, b) * len(cores) + np.maximum(a, b)) * 128 + scores[hit])

    # blocks of up to BLOCK_CAP names: every pair of members
    left, right = _pairs_within(starts[(sizes >= 2) & (sizes <= BLOCK_CAP)], sizes[(sizes >= 2) & (sizes <= BLOCK_CAP)])
    for chunk in range(0, len(left), PAIR_CHUNK):
        a, b = member[left[chunk : chunk + PAIR_CHUNK]], member[right[chunk : chunk + PAIR_CHUNK]]
        keep(a, b, process.cpdist(names[a], names[b], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8))
    # larger blocks: in the names' sorted order, windows of BLOCK_CAP names overlapping by half,
    # that is every pair within a chunk of half that size and between neighbouring chunks (each
    # pair scored once, though the windows overlap)
    order_of = _ranks(text)[0]
    step = BLOCK_CAP // 2
    for start, size in zip(starts[sizes > BLOCK_CAP].tolist(), sizes[sizes > BLOCK_CAP].tolist(), strict=True):
        members = member[start : start + size]
        members = members[np.argsort(order_of[members], kind="stable")]
        sorted_names = names[members]
        # a chunk against itself and the next chunk in one call (each call has a cost of its
        # own): the upper triangle of a chunk-by-(chunk + next) matrix; the block's matrices are
        # read in one pass at the end
        scores = np.zeros((-(-size // step), step, 2 * step), dtype=np.uint8)
        for w, s in enumerate(range(0, size, step)):
            got = process.cdist(
                sorted_names[s : s + step], sorted_names[s : s + 2 * step],
                scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8,
            )
            scores[w, : got.shape[0], : got.shape[1]] = got
        hit = np.flatnonzero(scores)  # few; of those, the ones above each matrix's diagonal
        w, x, y = np.unravel_index(hit, scores.shape)
        upper = y > x
        keep(members[w[upper] * step + x[upper]], members[w[upper] * step + y[upper]], scores.ravel()[hit[upper]])
    pairs = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    del found[:]
    pairs.sort()  # in place: no copy of millions of pairs
    if len(pairs):
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]  # one of each, in (i, j) order
    pair, score = np.divmod(pairs, 128)
    return pair // len(cores), pair % len(cores), score.astype(float)


PAIR_CHUNK = 500_000  # pairs of names scored in one call


def _pairs_of_groups(core_of_group: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """For pairs of names ``a[k]``, ``b[k]`` (positions in the distinct names): every pair of name
    groups, one with name ``a[k]`` and one with ``b[k]``, as three arrays: the two groups and ``k``
    (a join in numpy; a name is held by one group or a few)."""
    by_name = np.argsort(core_of_group, kind="stable")
    count = np.bincount(core_of_group, minlength=int(max(a.max(initial=0), b.max(initial=0))) + 1)
    start = np.cumsum(count) - count
    per_pair = count[a] * count[b]
    row = np.repeat(np.arange(len(a)), per_pair)
    within = np.arange(len(row)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    of_b = count[b][row]
    return by_name[start[a][row] + within // of_b], by_name[start[b][row] + within % of_b], row


def _name_blocks(cores: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The blocks of ``similar_pairs`` as two arrays sorted by block, then name: block number
    and name (its position in ``cores``). Words are counted and chosen with Arrow and numpy: a
    name's rarest words, ties in alphabetical order; a word longer than ``PREFIX_LENGTH`` also
    puts the name in the block of its first letters (twice, if both its words begin alike)."""
    lists = pc.split_pattern(cores, " ")
    name = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    flat = pc.list_flatten(lists)
    nonempty = pc.greater(pc.utf8_length(flat), 0).to_numpy(zero_copy_only=False)
    encoded = flat.dictionary_encode()
    words = encoded.dictionary
    n_words = max(len(words), 1)
    distinct = _unique(name[nonempty] * n_words + encoded.indices.to_numpy()[nonempty])  # a word once per name
    name, word = distinct // n_words, distinct % n_words
    names_with = np.bincount(word, minlength=len(words))
    alphabetical = _ranks(words)[0]
    order = np.lexsort((alphabetical[word], names_with[word], name))  # per name, rarest word first
    name, word = name[order], word[order]
    first_of_name = np.r_[True, name[1:] != name[:-1]] if len(name) else np.empty(0, dtype=bool)
    rank = np.arange(len(name)) - np.maximum.accumulate(np.where(first_of_name, np.arange(len(name)), 0))
    name, word = name[rank < BLOCK_KEYS_PER_NAME], word[rank < BLOCK_KEYS_PER_NAME]
    long = (pc.utf8_length(words).to_numpy() > PREFIX_LENGTH)[word]
    prefix = pc.utf8_slice_codeunits(words, 0, PREFIX_LENGTH).dictionary_encode().indices.to_numpy().astype(np.int64)
    block = np.r_[word, len(words) + prefix[word[long]]]  # word blocks, then prefix blocks
    member = np.r_[name, name[long]]
    order = np.lexsort((member, block))
    return block[order], member[order]


def _pairs_within(starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions ``p < q`` within each run ``starts[k] .. starts[k] + sizes[k]``."""
    lefts, rights = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for size in _unique(sizes).tolist():
        first = starts[sizes == size][:, None]
        p, q = np.triu_indices(size, 1)
        lefts.append((first + p).ravel())
        rights.append((first + q).ravel())
    return np.concatenate(lefts), np.concatenate(rights)


def _entity_ids(recs: _Records, roots: np.ndarray, uf: _Clusters) -> dict[int, str]:
    """Entity id per cluster root: a hash of the cluster's strongest key, so that ids do not
    depend on row order and are the same in every run over the same records.

    The key is the cluster's identity number if it has one; else the smallest normalised
    name (+ address, for persons) among its records. Two clusters that would get the same key
    (a human split them) are told apart by their smallest record id.

    A key made of a private person's name and address is hashed with the local pseudonym key
    (``privacy.keyed_hash``), so nobody can confirm a guessed donor by recomputing the id.
    """
    unique_roots, first_index = np.unique(roots, return_index=True)
    first_record = dict(zip(unique_roots.tolist(), first_index.tolist(), strict=True))
    key_of: dict[int, str] = {}
    numbered = np.zeros(len(roots), dtype=bool)  # per root (a record's position)
    for root in first_record:
        ids = uf.attrs[root][0]
        if ids:
            key_of[root] = "id:" + min(ids)
            numbered[root] = True
    # the other clusters' records, one per distinct (cluster, name, address if a person): the
    # records of one donor mostly repeat one spelling
    rows = np.flatnonzero(~numbered[roots])
    root, name, address = roots[rows], recs.name_code[rows], recs.address_code[rows]
    address = np.where(np.asarray(recs.person_like, dtype=bool)[rows], address, -1)
    order = np.lexsort((address, name, root))
    root, name, address = root[order], name[order], address[order]
    new = np.ones(len(root), dtype=bool)
    new[1:] = (root[1:] != root[:-1]) | (name[1:] != name[:-1]) | (address[1:] != address[:-1])
    root, name, address = root[new], name[new], address[new]
    del rows, order, new
    name_key = [nm.key and "name:" + nm.key for nm in recs.distinct_names]
    addresses = recs.distinct_addresses
    for r, n, a in zip(root.tolist(), name.tolist(), address.tolist(), strict=True):
        key = name_key[n] or "name:raw:" + recs.name_text[n]  # no name words: the name as printed
        if a >= 0:
            key += "|person:" + addresses[a].key
        prev = key_of.get(r)
        if prev is None or key < prev:
            key_of[r] = key
    count: dict[str, int] = defaultdict(int)
    for key in key_of.values():
        count[key] += 1
    out = {}
    private: list[tuple[int, str]] = []
    for root, key in key_of.items():
        # a person's key: only the address part adds "|person:" (a name key's words are letters and
        # digits; a name is kept as printed only if it has no word but legal-form words)
        person = "|person:" in key
        if count[key] > 1:
            key = key + "|record:" + recs.record_id[first_record[root]].as_py()
        if person:
            private.append((root, "partifinans.entity/1|" + key))
        else:
            out[root] = hashlib.sha256(("partifinans.entity/1|" + key).encode("utf-8")).hexdigest()[:16]
    hashes = privacy.keyed_hashes([key for _, key in private])
    out.update(zip((root for root, _ in private), hashes, strict=True))
    return out


def _canonical_names(spelling: np.ndarray, spellings: list[str], entity: np.ndarray) -> pd.Series:
    """Most frequent spelling per entity: first the most frequent spelling once folded (case,
    diacritics, punctuation), then the most frequent exact spelling, then one not in capitals
    throughout, then the one with more letters outside ASCII (diacritics kept: "Bäck" over "Back"), then alphabetical order.

    ``spelling``: per record, its position in ``spellings`` (distinct); ``entity``: per record, the
    entity's code. Grouped on the integer codes; only the spellings of entities written in more
    than one way are looked at, each once."""
    has_name = np.array([x != "" for x in spellings], dtype=bool)[spelling]
    df = pd.DataFrame({"entity_id": entity[has_name], "spelling": spelling[has_name]})
    counts = df.groupby(["entity_id", "spelling"], sort=False).size().rename("n").reset_index()
    contested = counts["entity_id"].duplicated(keep=False).to_numpy()
    alone = counts[~contested]  # one spelling: nothing to choose
    counts = counts[contested].reset_index(drop=True)
    used, s = np.unique(counts["spelling"].to_numpy(), return_inverse=True)
    texts = _take(spellings, used)
    counts["folded"] = pd.factorize(pd.Series(fold_many(texts), dtype=object))[0][s]
    counts["n_folded"] = counts.groupby(["entity_id", "folded"])["n"].transform("sum")
    # letters outside ASCII: the ones an ASCII encoding drops
    counts["accents"] = np.array([len(x) - len(x.encode("ascii", "ignore")) for x in texts], dtype=np.int64)[s]
    counts["mixed_case"] = np.array([x != x.upper() for x in texts], dtype=bool)[s]
    counts["alphabetical"] = _ranks(texts)[0][s]
    counts = counts.sort_values(
        ["entity_id", "n_folded", "n", "mixed_case", "accents", "alphabetical"],
        ascending=[True, False, False, False, False, True],
    ).drop_duplicates("entity_id")
    chosen = np.r_[alone["spelling"].to_numpy(), counts["spelling"].to_numpy()]
    index = np.r_[alone["entity_id"].to_numpy(), counts["entity_id"].to_numpy()]
    return pd.Series(_take(spellings, chosen), index=index, dtype=object)


def link_records(
    records: pd.DataFrame, judgements: list[Judgement] | None = None, stages: list | None = None
) -> Linkage:
    """Link donor records to entities.

    ``records`` columns (any but record_id may be missing or empty): record_id, name, donor_id
    (organisationsnummer in any spelling, a personnummer in clear or as ``pnr:`` pseudonym),
    address, kind (person / organisation / empty), year, recipient. Raises ``ValueError`` for a
    duplicated record_id or an unknown kind.

    ``stages``: if a list is given, one ``(stage, cpu seconds, resident MB)`` is appended after
    each stage (``benchmarks/bench_link.py`` reports where time and memory go).
    """

    def stage(name: str) -> None:
        if stages is not None:
            stages.append((name, time.process_time(), _resident_mb()))

    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector's passes cost 10-30 %
    try:
        return _link_records(records, judgements, stage)
    finally:
        if gc_was_enabled:
            gc.enable()


def _link_records(records: pd.DataFrame, judgements: list[Judgement] | None, stage) -> Linkage:
    stage("start")
    recs = prepare(records)
    stage("prepare (normalise names, numbers, addresses)")
    linker = _Linker(recs, judgements or [])
    linker.run(stage)
    uf = linker.uf
    roots = uf.roots()
    ids = _entity_ids(recs, roots, uf)
    # what only the rules and the ids looked at is dropped, so that the tables reuse its memory
    uf.attrs = uf.parent = uf.size = None
    _interned.clear()
    recs.addresses = recs.distinct_addresses = recs.recipient = recs.person_like = None
    stage("entity ids")
    # entities: one integer code per entity (codes in entity_id order), grouped with numpy; the
    # codes come from the integer roots, not from hashing a million id strings
    root_codes, unique_roots = pd.factorize(roots)
    id_of_root = [ids[r] for r in unique_roots.tolist()]
    del roots, ids, unique_roots
    entity_of_record = pa.array(id_of_root, type=pa.string()).take(root_codes)  # no Python string per record
    links = _links_frame(linker, entity_of_record)
    uf.rule = uf.score = uf.linked = linker.evidence = None
    entities = _entities_frame(recs, id_of_root, root_codes, entity_of_record)
    recs.names = recs.distinct_names = recs.kind = recs.ident = recs.ident_values = recs.year = recs.year_values = None
    stage("links and entities tables")
    uncertain = _uncertain_frame(linker, id_of_root, root_codes)
    stage("review table")
    for cached in (parse_name, parse_address):
        cached.cache_clear()  # a million names would otherwise stay in memory after the run
    forget_shared_values()
    return Linkage(links, entities, uncertain, linker.warnings)


def _links_frame(linker: _Linker, entity_of_record: pa.Array) -> pd.DataFrame:
    """The links table; its text columns are made by Arrow from codes into their few distinct
    values, so that no column holds a Python string per record."""
    recs, uf = linker.recs, linker.uf
    rule_codes, rules = pd.factorize(pd.Series(uf.rule, dtype=object))  # no rule: -1
    rules = rules.tolist() + [None]
    rule_codes = rule_codes % len(rules)  # no rule: the None appended
    # evidence: the rule's, or for a weighed link the weighing's (by record: few have one)
    evidence_values = [RULE_EVIDENCE.get(r) for r in rules]
    evidence_codes = rule_codes.copy()
    for i in sorted({k for pair in linker.evidence for k in pair}):
        rule, j = uf.rule[i], uf.linked[i]
        evidence_codes[i] = len(evidence_values)
        evidence_values.append(
            linker.evidence.get((i, j)) or linker.evidence.get((j, i)) or RULE_EVIDENCE.get(rule)
        )
    # Arrow's strings become pandas' without a copy (a DataFrame of pa.Array reads each value)
    return pd.DataFrame(
        {
            "record_id": recs.record_id.to_pandas(),
            "entity_id": entity_of_record.to_pandas(),
            "rule": pa.array([r or "alone" for r in rules], type=pa.string()).take(rule_codes).to_pandas(),
            "score": pd.array(np.array(uf.score, dtype=float), dtype="Float64"),  # None: NaN, then missing
            "linked_to": recs.record_id.take(
                pa.array(uf.linked, type=pa.int64(), mask=np.asarray(uf.linked) < 0)
            ).to_pandas(),
            "evidence": pa.array(evidence_values, type=pa.string()).take(evidence_codes).to_pandas(),
        }
    )


def _entities_frame(
    recs: _Records, id_of_root: list[str], root_codes: np.ndarray, entity_of_record: pa.Array
) -> pd.DataFrame:
    """The entities table; ``root_codes``: per record, its cluster's position in ``id_of_root``."""
    # each record's name as shown, as a code into the distinct shown spellings
    used = _unique(recs.name_code)
    spelling_codes, spellings = pd.factorize(
        pd.Series(display_names(_take(recs.name_text, used), _take(recs.distinct_names, used)), dtype=object)
    )
    spelling_of_name = np.zeros(len(recs.distinct_names), dtype=np.int64)
    spelling_of_name[used] = spelling_codes
    if len(set(id_of_root)) == len(id_of_root):
        rank, order = _ranks(id_of_root)
        entity_ids = _take(id_of_root, order)
        codes = rank[root_codes]
    else:  # two clusters with one id (a hash collision): one entity, as the id says
        codes, entity_ids = _sorted_codes(entity_of_record)
        entity_ids = entity_ids.to_pylist()
    n_entities = len(entity_ids)
    canonical = _canonical_names(spelling_of_name[recs.name_code], spellings.tolist(), codes)
    kind_arr = np.asarray(recs.kind, dtype=object)
    has_person = np.zeros(n_entities, dtype=bool)
    has_person[codes[kind_arr == "person"]] = True
    has_org = np.zeros(n_entities, dtype=bool)
    has_org[codes[kind_arr == "organisation"]] = True
    kinds = np.array(["unknown", "organisation", "person"], dtype=object)[np.where(has_person, 2, has_org.astype(np.int64))]
    first_year, last_year = _year_range(recs.year_values, codes, n_entities)
    return pd.DataFrame(
        {
            "entity_id": np.asarray(entity_ids, dtype=object),
            "canonical_name": canonical.reindex(range(n_entities)).to_numpy(),
            "kind": kinds,
            "identifiers": pd.Series(_identifiers(recs.ident_values, codes, n_entities), dtype=object),
            "n_records": np.bincount(codes, minlength=n_entities),
            "first_year": first_year,
            "last_year": last_year,
        }
    )


def _year_range(years, codes: np.ndarray, n_entities: int) -> tuple[np.ndarray, np.ndarray]:
    """Per entity, the first and last of its records' years (``years``: Int64, per record), as
    ``to_numpy`` gives them: int64, or objects with ``pd.NA`` for an entity without a year if
    there is one."""
    known = ~np.asarray(pd.isna(years), dtype=bool)
    values = np.asarray(years.to_numpy(dtype=np.int64, na_value=0))[known]
    entity = codes[known]
    first = np.full(n_entities, np.iinfo(np.int64).max)
    np.minimum.at(first, entity, values)
    last = np.full(n_entities, np.iinfo(np.int64).min)
    np.maximum.at(last, entity, values)
    none = np.ones(n_entities, dtype=bool)
    none[entity] = False
    out = []
    for x in (first, last):
        column = pd.array(x, dtype="Int64")
        column[none] = pd.NA
        out.append(column.to_numpy())
    return out[0], out[1]


def _identifiers(ident: np.ndarray, codes: np.ndarray, n_entities: int) -> list[list[str]]:
    """Per entity, the sorted list of its records' distinct identity numbers (``ident``: per
    record, its number or None)."""
    rows = np.flatnonzero(ident != None)  # noqa: E711 (numbers are never empty strings)
    number_codes, numbers = _sorted_codes(pa.array(ident[rows], type=pa.string()))
    # (entity, number) as one integer each: sorted and deduplicated by _unique
    pairs = _unique(codes[rows].astype(np.int64) * max(len(numbers), 1) + number_codes)
    out: list[list[str]] = [[] for _ in range(n_entities)]
    for code, number in zip(
        (pairs // max(len(numbers), 1)).tolist(), _take(numbers.to_pylist(), pairs % max(len(numbers), 1)), strict=True
    ):
        out[code].append(number)
    return out


def _resident_mb() -> float:
    """Resident memory of this process now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


UNCERTAIN_COLUMNS = [
    "left",
    "right",
    "left_name",
    "right_name",
    "rule",
    "score",
    "why",
    "left_entity",
    "right_entity",
]


def _uncertain_frame(linker: _Linker, id_of_root: list[str], root_codes: np.ndarray) -> pd.DataFrame:
    """The review table; ``id_of_root[root_codes[i]]`` is record ``i``'s entity id."""
    recs = linker.recs
    codes = root_codes.tolist()
    kept = []
    seen = set()
    for i, j, rule, score, why in linker.uncertain:
        key = (min(i, j), max(i, j))
        if key in seen or key in linker.judged_pairs or id_of_root[codes[i]] == id_of_root[codes[j]]:
            continue
        seen.add(key)
        kept.append((key, rule, score, why))
    ids = recs.record_id.take(pa.array([k for key, *_ in kept for k in key], type=pa.int64())).to_pylist()
    rows = []
    for n, (key, rule, score, why) in enumerate(kept):
        rows.append(
            (
                ids[2 * n],
                ids[2 * n + 1],
                display_name(recs.name_text[recs.name_code[key[0]]]),
                display_name(recs.name_text[recs.name_code[key[1]]]),
                rule,
                score,
                why,
                id_of_root[codes[key[0]]],
                id_of_root[codes[key[1]]],
            )
        )
    out = pd.DataFrame(rows, columns=UNCERTAIN_COLUMNS)
    return out.sort_values(["score", "left", "right"], ascending=[False, True, True], ignore_index=True)
