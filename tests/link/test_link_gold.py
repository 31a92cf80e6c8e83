"""The labelled gold set: pairwise precision and recall of the linkage, and named cases.

``gold.csv``: 207 fictional donor records in 55 true entities (column ``true_cluster``) with the
variations of issue #4 (legal-form words, (publ), case, diacritics, "Last, First", hyphens,
organisationsnummer in five spellings, personnummer in three, abbreviated streets, postcodes with
and without a space) and hard negatives (namesakes in other towns, next door and in the next
entrance; father and son at one address with two personnummer; "Jan" and "Jon"; holding
companies; a foundation and an association of one name; AB and HB; Brf 8 and Brf 9; two companies
with one name and two numbers; a sports club of one name in two towns). Some true links are out of
reach on purpose: a person with neither number nor address (a name alone is at most listed for
review) and an abbreviation the rules do not know ("IF" for "Idrottsförening").

Issue #16 added (g208-g246) the cases the rules alone missed or must keep missing: a person with
a personnummer and no address in one record and name and address without number in others;
hyphenated first names and their short forms (``S-E`` / ``Sven-Erik``, ``A-K`` / ``Anna-Karin``,
``K-G``, with the short form at another address in another town being another person); namesakes
at different addresses; two persons of one rare name with two numbers; a common name
("Anna Andersson") at one address over eight years beside namesakes elsewhere and one with a
number only.

``gold_holdout.csv`` is held out: no weight or threshold in ``weigh.py`` was chosen by looking at
it. Part A (h001-h035) was written before the weighing existed and run with the rules alone and
with the first version of the weighing (recall 0.684 both times); that showed that a name's
frequency counted including the pair itself makes every name look common in a small file, and
that way of counting was changed (``Weigher._name_u``). Part B (k001-k025) was written after
that change and first run when the weights were fixed (precision 1.000, recall 1.000).
"""

import itertools
from pathlib import Path

import pandas as pd
import pytest

from partifinans.link import link_records

GOLD = Path(__file__).with_name("gold.csv")
HOLDOUT = Path(__file__).with_name("gold_holdout.csv")


@pytest.fixture(scope="module")
def gold_linked(tmp_path_factory):
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARTIFINANS_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
        linkage = link_records(gold.drop(columns="true_cluster"))
    return gold.merge(linkage.links, on="record_id", validate="one_to_one"), linkage


def _pairs(df: pd.DataFrame, col: str) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for _, g in df.groupby(col):
        out |= set(itertools.combinations(sorted(g["record_id"]), 2))
    return out


def test_gold_set_size():
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    assert len(gold) >= 200
    assert gold["record_id"].is_unique


def _precision_recall(df: pd.DataFrame) -> tuple[float, float, set, set]:
    truth, found = _pairs(df, "true_cluster"), _pairs(df, "entity_id")
    hits = len(truth & found)
    return hits / len(found), hits / len(truth), found - truth, truth - found


def test_pairwise_precision_and_recall(gold_linked):
    df, _ = gold_linked
    precision, recall, wrong, missed = _precision_recall(df)
    assert precision >= 0.99, f"precision {precision:.3f}: wrong links {sorted(wrong)[:10]}"
    assert recall >= 0.95, f"recall {recall:.3f}: missed links {sorted(missed)[:10]}"
    # what is still missed: the name-only record beside two namesakes, and "IF" for Idrottsförening
    assert {r for pair in missed for r in pair} == {
        "g083",
        "g084",
        "g085",
        "g086",
        "g087",
        "g088",
        "g089",
        "g175",
        "g176",
        "g177",
    }


def test_held_out_precision_and_recall():
    gold = pd.read_csv(HOLDOUT, dtype=str, keep_default_na=False)
    linkage = link_records(gold.drop(columns="true_cluster"))
    df = gold.merge(linkage.links, on="record_id", validate="one_to_one")
    precision, recall, wrong, missed = _precision_recall(df)
    assert precision >= 0.99, f"precision {precision:.3f}: wrong links {sorted(wrong)[:10]}"
    assert recall >= 0.95, f"recall {recall:.3f}: missed links {sorted(missed)[:10]}"


def _entity(df, cluster):
    ids = set(df.loc[df["true_cluster"] == cluster, "entity_id"])
    return ids


@pytest.mark.parametrize(
    "cluster",
    [
        pytest.param("bergstrom_fastigheter", id="issue-org-spellings"),
        pytest.param("anna_karin_lindqvist_annanstad", id="last-first-and-hyphen"),
        pytest.param("orjan_back", id="diacritics"),
        pytest.param("maria_fiktivsdotter", id="personnummer-spellings"),
        pytest.param("stiftelsen_pahittad_framtid", id="stiftelse-word-order"),
        pytest.param("brf_fiktionen_8", id="number-in-name"),
        pytest.param("maria_exempelsson", id="number-in-one-address-in-another"),
        pytest.param("torbjorn_skisslund", id="number-once-address-once"),
        pytest.param("sven_erik_latsasberg", id="short-form-S-E"),
        pytest.param("anna_karin_dromlund", id="short-form-A-K-with-dots"),
        pytest.param("karl_gustav_provhed", id="short-form-K-G-spaced"),
        pytest.param("anna_andersson_provhamn", id="common-name-one-address-eight-years"),
    ],
)
def test_whole_clusters_are_found(gold_linked, cluster):
    df, _ = gold_linked
    assert len(_entity(df, cluster)) == 1


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param("bergstrom_fastigheter", "bergstrom_holding", id="holding"),
        pytest.param(
            "stiftelsen_pahittad_framtid", "foreningen_pahittad_framtid", id="foundation-association"
        ),
        pytest.param(
            "anna_karin_lindqvist_exempelstad", "anna_karin_lindqvist_annanstad", id="namesake-other-town"
        ),
        pytest.param("erik_testsson_umea", "erik_testsson_umea_other_street", id="namesake-same-town"),
        pytest.param("karl_pahittsson_senior", "karl_pahittsson_junior", id="father-son-two-pnr"),
        pytest.param("jan_exempelsson", "jon_exempelsson", id="jan-jon"),
        pytest.param("testfirman_akeri_ab", "testfirman_akeri_hb", id="ab-hb"),
        pytest.param("nordisk_pahitt_1", "nordisk_pahitt_2", id="one-name-two-numbers"),
        pytest.param("ik_testkamraterna_umea", "ik_testkamraterna_malmo", id="club-two-towns"),
        pytest.param("gustav_exempelberg", "gustav_exempelberg_1b", id="next-entrance"),
        pytest.param("karl_gustav_provhed", "kg_provhed_karlstad", id="short-form-other-town"),
        pytest.param("lars_pahittsson_exempelstad", "lars_pahittsson_skovde", id="namesakes-two-addresses"),
        pytest.param("olle_sagolund_1", "olle_sagolund_2", id="rare-name-two-numbers"),
        pytest.param("anna_andersson_pnr", "anna_andersson_provhamn", id="common-name-number-only"),
        pytest.param("anna_andersson_pnr", "anna_andersson_hoganas", id="common-name-number-only-2"),
        pytest.param("anna_andersson_provhamn", "anna_andersson_hoganas", id="common-name-two-addresses"),
    ],
)
def test_hard_negatives_stay_apart(gold_linked, a, b):
    df, _ = gold_linked
    assert not (_entity(df, a) & _entity(df, b))


def test_canonical_names_keep_the_original_spelling(gold_linked):
    df, linkage = gold_linked
    names = linkage.entities.set_index("entity_id")["canonical_name"]
    (bf,) = _entity(df, "bergstrom_fastigheter")
    (back,) = _entity(df, "orjan_back")
    assert names[bf] == "Bergström Fastigheter AB"
    assert names[back] == "Örjan Bäck"


def test_a_person_without_number_or_address_is_left_alone(gold_linked):
    df, _ = gold_linked
    row = df[(df["true_cluster"] == "anna_karin_lindqvist_exempelstad") & (df["address"] == "")].iloc[0]
    assert row["rule"] == "alone"


def test_weighed_links_keep_their_evidence(gold_linked):
    df, _ = gold_linked
    row = df[(df["true_cluster"] == "maria_exempelsson") & (df["rule"] == "weighed_evidence")].iloc[0]
    assert row["score"] >= 95
    assert row["evidence"].startswith("same name (as common as 1 in ")
    assert "same recipient" in row["evidence"] and "prior" in row["evidence"]
    assert "exempelsson" not in row["evidence"].casefold()  # no names in the evidence


def test_ambiguous_and_moved_pairs_go_to_review_not_to_a_merge(gold_linked):
    _, linkage = gold_linked
    review = linkage.uncertain[linkage.uncertain["rule"] == "weighed_evidence"]
    pairs = {
        frozenset((a, b)): why
        for a, b, why in zip(review["left"], review["right"], review["why"], strict=True)
    }
    # namesakes at two addresses, same party: a move or two people, a human decides
    assert pairs[frozenset(("g228", "g230"))].startswith("different addresses: a move or a namesake")
    # a common name with a number only, beside three namesakes at three addresses
    assert any("g246" in p for p in pairs)
