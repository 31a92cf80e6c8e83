"""The labelled gold set: pairwise precision and recall of the linkage, and named cases.

``gold.csv``: 207 fictional donor records in 55 true entities (column ``true_cluster``) with the
variations of issue #4 (legal-form words, (publ), case, diacritics, "Last, First", hyphens,
organisationsnummer in five spellings, personnummer in three, abbreviated streets, postcodes with
and without a space) and hard negatives (namesakes in other towns, next door and in the next
entrance; father and son at one address with two personnummer; "Jan" and "Jon"; holding
companies; a foundation and an association of one name; AB and HB; Brf 8 and Brf 9; two companies
with one name and two numbers; a sports club of one name in two towns). Some true links are out of
reach on purpose: a person with neither number nor address ("never on name alone") and an
abbreviation the rules do not know ("IF" for "Idrottsförening").
"""

import itertools
from pathlib import Path

import pandas as pd
import pytest

from partifinans.link import link_records

GOLD = Path(__file__).with_name("gold.csv")


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


def test_pairwise_precision_and_recall(gold_linked):
    df, _ = gold_linked
    truth, found = _pairs(df, "true_cluster"), _pairs(df, "entity_id")
    hits = len(truth & found)
    precision, recall = hits / len(found), hits / len(truth)
    assert precision >= 0.98, f"precision {precision:.3f}: wrong links {sorted(found - truth)[:10]}"
    assert recall >= 0.95, f"recall {recall:.3f}: missed links {sorted(truth - found)[:10]}"


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
