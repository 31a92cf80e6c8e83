"""Properties that must hold for any input, checked on generated donor lists (hypothesis)."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partifinans.link import link_records

NAMES = [
    "Exempelbolaget AB",
    "EXEMPELBOLAGET AKTIEBOLAG",
    "Exempelbolagett AB",
    "Exempelbolaget Holding AB",
    "Exempelbolaget",
    "Exempelbolaget HB",
    "Stiftelsen Exempel",
    "Föreningen Exempel",
    "Anna Testsson",
    "Testsson, Anna",
    "Anna Testson",
]
IDS = ["", "", "556123-4567", "5561234567", "559012-3450", "802400-5558", "18900101-1239", "18950612-4560"]
ADDRESSES = [
    "",
    "Storgatan 1, 123 45 Exempelstad",
    "Storg. 1, 12345 Exempelstad",
    "Storgatan 2, 123 45 Exempelstad",
]
KINDS = ["", "person", "organisation"]

record = st.tuples(
    st.sampled_from(NAMES), st.sampled_from(IDS), st.sampled_from(ADDRESSES), st.sampled_from(KINDS)
)


def _frame(rows):
    df = pd.DataFrame(rows, columns=["name", "donor_id", "address", "kind"])
    df.insert(0, "record_id", [f"r{i:03d}" for i in range(len(df))])
    return df


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_no_entity_holds_two_identifiers_and_row_order_does_not_matter(rows, rnd):
    df = _frame(rows)
    linkage = link_records(df)
    assert all(len(ids) <= 1 for ids in linkage.entities["identifiers"])
    assert len(linkage.links) == len(df)
    shuffled = df.sample(frac=1.0, random_state=rnd.randint(0, 10_000))
    again = link_records(shuffled)
    a = dict(zip(linkage.links["record_id"], linkage.links["entity_id"], strict=True))
    b = dict(zip(again.links["record_id"], again.links["entity_id"], strict=True))
    assert a == b
    assert linkage.entities["entity_id"].is_unique


PERSON_NAMES = [
    "Sven-Erik Provberg",
    "S-E Provberg",
    "PROVBERG, SVEN-ERIK",
    "Sven Provberg",
    "Maria Provberg",
]
PERSON_IDS = ["", "", "18900101-1239", "189001011239", "18950612-4560", "18920505-3334"]
person_record = st.tuples(
    st.sampled_from(PERSON_NAMES + NAMES[:3]),
    st.sampled_from(PERSON_IDS + IDS[2:4]),
    st.sampled_from(ADDRESSES),
    st.sampled_from(KINDS),
    st.sampled_from(["Centerpartiet", "Moderaterna", ""]),
    st.sampled_from([2019, 2020, 2024]),
)


def _frame6(rows):
    df = pd.DataFrame(rows, columns=["name", "donor_id", "address", "kind", "recipient", "year"])
    df.insert(0, "record_id", [f"r{i:03d}" for i in range(len(df))])
    return df


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person_record, min_size=1, max_size=20), person_record)
def test_adding_a_record_never_splits_records_that_share_an_identity_number(rows, extra):
    """With weighed evidence too: a new record may join an entity, never pull apart two records
    that carry the same identity number, and no entity ever holds two numbers."""
    before = _frame6(rows)
    after = _frame6([*rows, extra])
    first, second = link_records(before), link_records(after)
    for linkage in (first, second):
        assert all(len(ids) <= 1 for ids in linkage.entities["identifiers"])
    ident = before["donor_id"].map(lambda s: s.replace("-", "")[-10:] if s else "")
    entity_after = dict(zip(second.links["record_id"], second.links["entity_id"], strict=True))
    entity_before = dict(zip(first.links["record_id"], first.links["entity_id"], strict=True))
    for _, group in before[ident != ""].groupby(ident[ident != ""]):
        ids = group["record_id"].tolist()
        assert len({entity_before[r] for r in ids}) == 1
        assert len({entity_after[r] for r in ids}) == 1
        # and the entity keeps its id (hashed from the number, not from row order)
        assert entity_after[ids[0]] == entity_before[ids[0]]
