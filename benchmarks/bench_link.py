"""Donor linkage at scale: time and peak memory of ``link_records`` on synthetic donor lists.

Issue #4 asks for 100 000 records in under 60 s and 1 000 000 in under 10 minutes on a 2-core
machine, peak memory under 4 GB. This script measures; it is not a test.

    .venv/bin/python benchmarks/bench_link.py 10000 100000 1000000

Each size runs in a fresh process (so one size's memory does not count against the next) and
prints one JSON line: records, entities found, true entities, seconds (wall clock, linkage only,
not the generation of the data), cpu_seconds (the same in CPU time: on a shared machine the wall
clock also counts other people's jobs; the load average is printed beside it), peak resident
memory of the process in MB (``ru_maxrss``: the input records included, read from a Parquet file
that a child process generated, as the pipeline reads ``contributions.parquet``;
``memory_before_linkage_mb`` is the peak before linkage started), CPU seconds and resident memory at the end of each stage of
``link_records``, and pairwise precision and recall against the generator's truth.

``--splink N`` or ``--splink gold.csv`` runs Splink on the same records instead (see ``run_splink``).

The records are invented (fixed seed): about a third of them organisations with an
organisationsnummer on most records, the rest persons with an address and sometimes a
personnummer pseudonym; each entity is written 1-8 times with the variations of the issue (case,
legal-form words, "(publ)", diacritics dropped, "Last, First", hyphens, one-letter typos,
abbreviated streets, numbers in four spellings). Namesakes are common by construction: the same
person name recurs at other addresses.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

import pandas as pd
from stdnum import luhn

PREFIX = "Test Exempel Påhitt Fiktiv Låtsas Dröm Saga Fabel Prov Skiss Utkast Mock Dummy Modell Mönster Förslag".split()
STEM = "berg ström lund dal holm vik sjö by bäck gren mark hed ås näs torp fors kulla hult rud stad".split()
BRANCH = "Fastigheter Bygg Konsult Åkeri Handel Invest Data Media El VVS Måleri Transport Fisk Skog Trä Mat Café Resor Film Musik".split()
REGION = [
    "",
    "",
    "",
    "Norr",
    "Syd",
    "Väst",
    "Öst",
    "i Exempelstad",
    "i Påhittby",
    "Sverige",
    "Nordic",
    "Gruppen",
]
FIRST = (
    "Anna Karin Eva Maria Lena Kerstin Ingrid Birgitta Sara Emma Erik Lars Karl Anders Johan Per Nils "
    "Jan Olof Sven Björn Gustav Örjan Åsa Märta Göran"
).split()
SURNAME_END = "sson berg ström lund kvist gren dotter man"
STREET_END = ["gatan", "vägen", "stigen", "backen", "allén"]
TOWNS = ["Exempelstad", "Påhittby", "Fiktivköping", "Låtsasås", "Drömvik", "Sagoby", "Provhamn", "Testeå"]


def _orgnr(rng: random.Random, first: str) -> str:
    # third digit 2 or more: an organisationsnummer's "month" is at least 20
    nine = (
        first
        + str(rng.randint(0, 9))
        + str(rng.randint(2, 9))
        + "".join(str(rng.randint(0, 9)) for _ in range(6))
    )
    d = nine + luhn.calc_check_digit(nine)
    return f"{d[:6]}-{d[6:]}"


def _typo(rng: random.Random, s: str) -> str:
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 6:
        return s
    i = rng.choice(letters[2:-1])
    return s[:i] + s[i + 1 :] if rng.random() < 0.5 else s[:i] + s[i] + s[i:]


def _strip_diacritics(s: str) -> str:
    return s.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe"))


def _org_variant(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.35:
        return name
    if r < 0.5:
        return name.upper()
    if r < 0.6:
        return name.replace(" AB", " Aktiebolag")
    if r < 0.7:
        return name + " (publ)"
    if r < 0.8:
        return _strip_diacritics(name)
    if r < 0.9:
        return name.replace(" AB", "")
    return _typo(rng, name)


def _orgnr_variant(rng: random.Random, n: str) -> str:
    r = rng.random()
    if r < 0.55:
        return n
    if r < 0.75:
        return n.replace("-", "")
    if r < 0.88:
        return "16" + n
    return "SE" + n.replace("-", "") + "01"


def _person_variant(rng: random.Random, first: str, last: str) -> str:
    r = rng.random()
    if r < 0.4:
        return f"{first} {last}"
    if r < 0.6:
        return f"{last}, {first}"
    if r < 0.7:
        return f"{first} {last}".upper()
    if r < 0.8:
        return _strip_diacritics(f"{first} {last}").replace("-", " ")
    if r < 0.9:
        return f"{first} {_typo(rng, last)}"
    return f"{first.replace('-', ' ')} {last}"


def _address_variant(rng: random.Random, street: str, number: int, postcode: str, town: str) -> str:
    r = rng.random()
    pc = postcode if rng.random() < 0.5 else postcode.replace(" ", "")
    if r < 0.6:
        return f"{street} {number}, {pc} {town}"
    if r < 0.75:
        return f"{street.replace('gatan', 'g.').replace('vägen', 'v.')} {number}, {pc} {town}"
    if r < 0.85:
        return f"{street} {number}, {pc} {town}".upper()
    return f"{street} {number}, {town}"


def generate(n: int, seed: int = 20260415) -> pd.DataFrame:
    """About ``n`` synthetic donor records (exactly ``n``) with a ``true_entity`` column."""
    rng = random.Random(seed)
    rows: list[tuple] = []
    used: set[str] = set()
    e = 0
    while len(rows) < n:
        e += 1
        k = min(8, 1 + int(rng.expovariate(1 / 1.8)))
        year0 = rng.randint(2018, 2024)
        if rng.random() < 0.35:
            form = "AB" if rng.random() < 0.85 else rng.choice(["HB", "ek. för."])
            marker = rng.choice(["", "", "", "", "Holding ", "Förvaltning "]) if form == "AB" else ""
            words = (rng.choice(PREFIX) + rng.choice(STEM), rng.choice(BRANCH), rng.choice(REGION))
            core = " ".join(w for w in words if w)
            while core in used:  # an aktiebolag's name is unique in Sweden: so in the generator
                core = f"{core} {rng.randint(2, 99_999)}"
            used.add(core)
            name = f"{core} {marker}{form}"
            number = _orgnr(rng, "5" if form == "AB" else rng.choice("79"))
            for _ in range(k):
                ident = _orgnr_variant(rng, number) if rng.random() < 0.7 else ""
                rows.append(
                    (
                        _org_variant(rng, name),
                        ident,
                        "",
                        "organisation" if rng.random() < 0.8 else "",
                        year0 + rng.randint(0, 3),
                        e,
                    )
                )
        else:
            first = rng.choice(FIRST) + (("-" + rng.choice(FIRST)) if rng.random() < 0.15 else "")
            last = rng.choice(PREFIX) + rng.choice(SURNAME_END.split())
            street = rng.choice(PREFIX) + rng.choice(STEM) + rng.choice(STREET_END)
            number, town = rng.randint(1, 60), rng.choice(TOWNS)
            postcode = f"{rng.randint(100, 989)} {rng.randint(10, 99)}"
            pseud = f"pnr:{rng.getrandbits(64):016x}" if rng.random() < 0.25 else ""
            for _ in range(k):
                ident = pseud if pseud and rng.random() < 0.6 else ""
                addr = _address_variant(rng, street, number, postcode, town) if rng.random() < 0.92 else ""
                rows.append(
                    (
                        _person_variant(rng, first, last),
                        ident,
                        addr,
                        "person" if rng.random() < 0.8 else "",
                        year0 + rng.randint(0, 3),
                        e,
                    )
                )
    rows = rows[:n]
    df = pd.DataFrame(rows, columns=["name", "donor_id", "address", "kind", "year", "true_entity"])
    df.insert(0, "record_id", [f"s{i:08d}" for i in range(len(df))])
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)  # shuffled: row order must not matter


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")


def records_file(n: int) -> str:
    """The ``n`` generated records as Parquet under ``benchmarks/work/`` (git-ignored), made in a
    child process the first time: the linkage process then reads them as the pipeline reads
    ``contributions.parquet``, and its peak memory does not include the generator's."""
    path = os.path.join(WORK, f"link-records-{n}.parquet")
    if not os.path.exists(path):
        os.makedirs(WORK, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--generate", str(n), path], check=True)
    return path


def run(n: int) -> dict:
    """Link ``n`` generated records and return the measurements (one process, see module doc)."""
    from partifinans.link import link_records

    os.environ.setdefault(
        "PARTIFINANS_KEY_FILE", os.path.join(tempfile.gettempdir(), "partifinans-bench.key")
    )
    df = pd.read_parquet(records_file(n))
    records = df.drop(columns="true_entity")
    peak_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    load_before = os.getloadavg()[0]
    stages: list = []
    t0, c0 = time.perf_counter(), time.process_time()
    linkage = link_records(records, stages=stages)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = df[["record_id", "true_entity"]].merge(linkage.links[["record_id", "entity_id"]], on="record_id")
    both = _pairs(m.groupby(["true_entity", "entity_id"]).size())
    true_pairs = _pairs(m.groupby("true_entity").size())
    found_pairs = _pairs(m.groupby("entity_id").size())
    return {
        "records": n,
        "entities_found": int(linkage.entities.shape[0]),
        "entities_true": int(df["true_entity"].nunique()),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "load_average_1min_before": round(load_before, 1),
        "peak_memory_mb": round(peak_mb),
        "memory_before_linkage_mb": round(peak_before_mb),
        # per stage: CPU seconds it took, resident MB at its end
        "stages": [
            [name, round(cpu - prev_cpu, 2), round(mb)]
            for (name, cpu, mb), (_, prev_cpu, _) in zip(stages[1:], stages[:-1], strict=True)
        ],
        "precision": round(both / found_pairs, 4) if found_pairs else None,
        "recall": round(both / true_pairs, 4) if true_pairs else None,
        "uncertain_pairs": int(len(linkage.uncertain)),
    }


def splink_features(records: pd.DataFrame) -> pd.DataFrame:
    """The columns Splink compares, made with our own normalisation (so that the comparison is
    of the two ways of weighing, not of two ways of cleaning): folded name with sorted words,
    identity number in normal form, address key, postcode, town, folded recipient, year."""
    from partifinans.link.match import prepare

    recs = prepare(records)
    return pd.DataFrame(
        {
            "unique_id": recs.record_id.to_pylist(),
            "name_key": [nm.core or None for nm in recs.names],
            "initials": ["".join(sorted(t[0] for t in nm.core.split())) or None for nm in recs.names],
            "ident": recs.ident,
            "address_key": [a.key or None for a in recs.addresses],
            "postcode": [a.postcode or None for a in recs.addresses],
            "town": [a.town or None for a in recs.addresses],
            "recipient": [r or None for r in recs.recipient],
            "year": pd.array(recs.year, dtype="Int64"),
            "kind": [k or None for k in recs.kind],
        }
    )


def run_splink(records: pd.DataFrame, threshold: float = 0.95) -> tuple[pd.Series, dict]:
    """Splink (DuckDB backend) on the same records: entity per record_id and what it cost.

    Model: identity number exact; name Jaro-Winkler 0.95 / 0.88 with term-frequency adjustment;
    address exact / Levenshtein 2; postcode, town, recipient exact (recipient with term
    frequencies); year difference 1 / 3. Blocking: same name, same address, same number, same
    initials and town. Trained as the Splink tutorials do: prior from deterministic rules (recall
    0.8), u by random sampling, m by expectation maximisation blocked on name and on address.
    Clustering: connected components at ``threshold``; Splink has no cannot-link constraint, so
    the number of entities that end up with two identity numbers is reported.
    Splink is not a dependency of partifinans: ``pip install splink`` to run this.
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    feats = splink_features(records)
    t0 = time.perf_counter()
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("ident"),
            cl.JaroWinklerAtThresholds("name_key", [0.95, 0.88]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("address_key", [2]),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("town"),
            cl.ExactMatch("recipient").configure(term_frequency_adjustments=True),
            cl.CustomComparison(
                output_column_name="year",
                comparison_levels=[
                    cll.NullLevel("year"),
                    cll.AbsoluteDifferenceLevel("year", 1),
                    cll.AbsoluteDifferenceLevel("year", 3),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"),
            block_on("address_key"),
            block_on("ident"),
            block_on("initials", "town"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    sdf = db_api.register(feats)
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("ident"), block_on("name_key", "address_key")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, 5 * len(feats) ** 2))
    em_failed = []
    for rule, name in ((block_on("name_key"), "name"), (block_on("address_key"), "address")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:  # too few pairs in a small file: keep Splink's starting values
            em_failed.append(f"{name}: {str(exc)[:60]}")
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - t0
    merged = out.merge(feats[["unique_id", "ident"]], on="unique_id")
    n_ids = merged.dropna(subset=["ident"]).groupby("cluster_id")["ident"].nunique()
    return out.set_index("unique_id")["cluster_id"], {
        "seconds": round(seconds, 1),
        "entities_with_two_numbers": int((n_ids > 1).sum()),
        "em_failed": em_failed,
        "pairs_scored_at_0_5": int(pred.as_pandas_dataframe().shape[0]),
    }


def score_splink(df: pd.DataFrame, truth_col: str, threshold: float = 0.95) -> dict:
    """Pairwise precision and recall of Splink against ``truth_col``; peak memory of the process."""
    entity, info = run_splink(df.drop(columns=truth_col), threshold)
    m = df[["record_id", truth_col]].assign(entity_id=df["record_id"].map(entity).to_numpy())
    both = _pairs(m.groupby([truth_col, "entity_id"]).size())
    true_pairs = _pairs(m.groupby(truth_col).size())
    found_pairs = _pairs(m.groupby("entity_id").size())
    return {
        "matcher": "splink",
        "threshold": threshold,
        "records": len(df),
        **info,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "precision": round(both / found_pairs, 4) if found_pairs else None,
        "recall": round(both / true_pairs, 4) if true_pairs else None,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--generate":  # --generate N PATH (see records_file)
        tmp = argv[2] + ".tmp"
        generate(int(argv[1])).to_parquet(tmp, index=False)
        os.replace(tmp, argv[2])
        return 0
    if argv and argv[0] == "--splink":  # --splink N|gold.csv [threshold]; gold.csv has true_cluster
        os.environ.setdefault(
            "PARTIFINANS_KEY_FILE", os.path.join(tempfile.gettempdir(), "partifinans-bench.key")
        )
        arg = argv[1]
        threshold = float(argv[2]) if len(argv) > 2 else 0.95
        if arg.isdigit():
            result = score_splink(generate(int(arg)), "true_entity", threshold)
        else:
            gold = pd.read_csv(arg, dtype=str, keep_default_na=False)
            result = {"gold": arg, **score_splink(gold, "true_cluster", threshold)}
        print(json.dumps(result), flush=True)
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    if len(sizes) == 1:
        print(json.dumps(run(sizes[0])), flush=True)
        return 0
    for n in sizes:  # one fresh process per size
        subprocess.run([sys.executable, __file__, str(n)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
