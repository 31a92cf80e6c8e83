"""The linkage rules of issue #4, one named case each."""

import pandas as pd
import pytest

from partifinans.link import link_records, load_judgements, uncertain_pairs
from partifinans.link.judgements import read_judgements
from partifinans.link.match import address_match, words_agree
from partifinans.link.normalise import parse_address


def records(*rows: tuple) -> pd.DataFrame:
    """(record_id, name, donor_id, address, kind) tuples as a link input frame."""
    return pd.DataFrame(rows, columns=["record_id", "name", "donor_id", "address", "kind"])


def entity_of(linkage) -> dict[str, str]:
    return dict(zip(linkage.links["record_id"], linkage.links["entity_id"], strict=True))


def same(linkage, *ids) -> bool:
    e = entity_of(linkage)
    return len({e[i] for i in ids}) == 1


BERGSTROM = records(
    ("1", "Bergström Fastigheter AB", "556677-8899", "", "organisation"),
    ("2", "BERGSTRÖM FASTIGHETER AKTIEBOLAG", "5566778899", "", "organisation"),
    ("3", "Bergstrom Fastigheter AB (publ)", "", "", "organisation"),
    ("4", "Bergström Fastigheter AB", "16556677-8899", "", ""),
    ("5", "Bergström Fastigheter AB", "SE556677889901", "", ""),
)


def test_the_issue_spellings_are_one_entity_with_diacritics_kept():
    linkage = link_records(BERGSTROM)
    assert same(linkage, "1", "2", "3", "4", "5")
    (row,) = linkage.entities.to_dict("records")
    assert row["canonical_name"] == "Bergström Fastigheter AB"
    assert row["identifiers"] == ["556677-8899"]
    assert row["kind"] == "organisation"
    assert row["n_records"] == 5


def test_every_record_has_its_reason():
    links = link_records(BERGSTROM).links.set_index("record_id")
    assert links.loc["2", "rule"] == "same_identifier" and links.loc["2", "score"] == 100
    assert links.loc["3", "rule"] == "same_name"
    assert links.loc["3", "linked_to"] in {"1", "2", "4", "5"}


def test_entity_ids_do_not_depend_on_row_order():
    a = entity_of(link_records(BERGSTROM))
    b = entity_of(link_records(BERGSTROM.iloc[::-1]))
    assert a == b


def test_entity_id_is_stable_when_records_are_added_to_an_identified_entity():
    before = entity_of(link_records(BERGSTROM.iloc[:2]))["1"]
    after = entity_of(link_records(BERGSTROM))["1"]
    assert before == after


def test_persons_link_on_name_and_address_never_on_name_alone():
    linkage = link_records(
        records(
            ("a", "Lindqvist, Anna-Karin", "", "Storgatan 1, 123 45 Exempelstad", "person"),
            ("b", "Anna Karin Lindqvist", "", "Storg. 1, 12345 Exempelstad", "person"),
            ("c", "Anna-Karin Lindqvist", "", "Storgatan 1, 543 21 Annanstad", "person"),
            ("d", "Anna-Karin Lindqvist", "", "", "person"),
            ("e", "Anna-Karin Lindqvist", "", "Exempelstad", ""),
        )
    )
    e = entity_of(linkage)
    assert e["a"] == e["b"]
    assert len({e["a"], e["c"], e["d"], e["e"]}) == 4
    assert linkage.links.set_index("record_id").loc["b", "rule"] == "same_name_address"


def test_namesakes_with_different_personnummer_stay_apart_even_at_one_address():
    linkage = link_records(
        records(
            ("sr", "Karl Påhittsson", "18950612-4560", "Gärdet 5, 666 77 Låtsasby", "person"),
            ("jr", "Karl Påhittsson", "18930303-7890", "Gärdet 5, 666 77 Låtsasby", "person"),
            ("x", "Karl Påhittsson", "", "Gärdet 5, 666 77 Låtsasby", "person"),
        )
    )
    e = entity_of(linkage)
    assert len({e["sr"], e["jr"], e["x"]}) == 3  # "x" could be either: listed for review instead
    pairs = {frozenset((r.left, r.right)) for r in linkage.uncertain.itertuples()}
    assert frozenset(("x", "sr")) in pairs and frozenset(("x", "jr")) in pairs


def test_a_chain_of_links_never_joins_two_organisationsnummer():
    # 3 matches both 1 (by name) and 2 (by a similar name); 1 and 2 have different numbers
    linkage = link_records(
        records(
            ("1", "Exempelbolaget AB", "556123-4567", "", "organisation"),
            ("2", "Exempelbolagett AB", "559012-3450", "", "organisation"),
            ("3", "Exempelbolaget AB", "", "", "organisation"),
            ("4", "Exempelbolagett AB", "", "", "organisation"),
        )
    )
    for ids in linkage.entities["identifiers"]:
        assert len(ids) <= 1
    e = entity_of(linkage)
    assert e["1"] != e["2"]


@pytest.mark.parametrize(
    "left, right",
    [
        pytest.param("Exempel Holding AB", "Exempel AB", id="holding"),
        pytest.param("Stiftelsen Exempel", "Föreningen Exempel", id="foundation-association"),
        pytest.param("Testssons Åkeri HB", "Testssons Åkeri AB", id="hb-ab"),
        pytest.param("Brf Freja 8", "Brf Freja 9", id="house-number"),
    ],
)
def test_hard_negatives_are_not_linked(left, right):
    linkage = link_records(records(("l", left, "", "", "organisation"), ("r", right, "", "", "organisation")))
    assert not same(linkage, "l", "r")


def test_a_chain_through_a_name_without_legal_form_does_not_join_ab_and_hb():
    linkage = link_records(
        records(
            ("ab", "Testssons Åkeri AB", "", "", "organisation"),
            ("bare", "Testssons Åkeri", "", "", "organisation"),
            ("hb", "Testssons Åkeri HB", "", "", "organisation"),
        )
    )
    assert not same(linkage, "ab", "hb")


def test_associations_of_one_name_in_two_towns_stay_apart():
    linkage = link_records(
        records(
            ("u1", "Idrottsklubben Testkamraterna", "", "Idrottsvägen 1, 901 10 Umeå", "organisation"),
            ("u2", "IDROTTSKLUBBEN TESTKAMRATERNA", "", "Idrottsv. 1, 90110 Umeå", "organisation"),
            ("m1", "Idrottsklubben Testkamraterna", "", "Planvägen 9, 211 20 Malmö", "organisation"),
        )
    )
    assert same(linkage, "u1", "u2")
    assert not same(linkage, "u1", "m1")


def test_person_and_organisation_of_one_name_stay_apart():
    linkage = link_records(
        records(
            ("p", "Anna Testsson", "", "Storgatan 1, 123 45 Exempelstad", "person"),
            ("o", "Anna Testsson", "", "Storgatan 1, 123 45 Exempelstad", "organisation"),
        )
    )
    assert not same(linkage, "p", "o")


def test_typos_link_and_father_and_son_do_not():
    linkage = link_records(
        records(
            ("a", "Anna Karin Lindqvist", "", "Storgatan 1, 123 45 Exempelstad", "person"),
            ("b", "Anna Karin Lindqvst", "", "Storgatan 1, 123 45 Exempelstad", "person"),
            ("jan", "Jan Exempelsson", "", "Ängsvägen 2, 444 55 Fiktivby", "person"),
            ("jon", "Jon Exempelsson", "", "Ängsvägen 2, 444 55 Fiktivby", "person"),
        )
    )
    links = linkage.links.set_index("record_id")
    assert same(linkage, "a", "b") and links.loc["b", "rule"] == "fuzzy_name_address"
    assert 90 <= links.loc["b", "score"] < 100
    assert not same(linkage, "jan", "jon")
    review = linkage.uncertain
    assert {"jan", "jon"} == set(review.loc[0, ["left", "right"]])


def test_personnummer_never_appears_in_the_output():
    linkage = link_records(
        records(
            ("1", "Maria Fiktivsdotter", "18900101-1239", "", "person"),
            ("2", "Fiktivsdotter, Maria", "189001011239", "", "person"),
        )
    )
    assert same(linkage, "1", "2")
    text = linkage.links.to_csv() + linkage.entities.to_csv()
    assert "1239" not in text and "900101" not in text
    (ident,) = linkage.entities.loc[0, "identifiers"]
    assert ident.startswith("pnr:")


def test_address_match_cases():
    assert address_match(
        parse_address("Storgatan 1, 123 45 Exempelstad"), parse_address("Storg. 1, 12345 Exempelstad")
    )
    assert not address_match(
        parse_address("Storgatan 1, 123 45 Exempelstad"), parse_address("Storgatan 11, 123 45 Exempelstad")
    )
    assert not address_match(
        parse_address("Storgatan 1, 123 45 Exempelstad"), parse_address("Storgatan 1, 543 21 Annanstad")
    )
    assert not address_match(
        parse_address("Furugatan 22 B, 999 00 X"), parse_address("Furugatan 22 A, 999 00 X")
    )


def test_words_agree():
    assert words_agree("karin lindkvist", "karin lindqvist")
    assert not words_agree("exempelsson jan", "exempelsson jon")
    assert not words_agree("anna karin lindqvist", "anna lindqvist")
    assert words_agree("exempelbolag", "exempelbolaget")
    assert not words_agree("exempelstad i mat mockhe", "exempelstad i mat mocknas")


def test_duplicate_record_id_is_an_error():
    with pytest.raises(ValueError, match="more than once"):
        link_records(records(("1", "A", "", "", ""), ("1", "B", "", "", "")))


# --- human judgements -----------------------------------------------------------------------


def write_judgements(path, *rows):
    lines = ["left,right,judgement,who,when,note"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_judgement_different_is_never_overridden_not_even_by_a_chain(tmp_path):
    recs = records(
        ("1", "Exempelbolaget AB", "", "", "organisation"),
        ("2", "Exempelbolaget AB", "", "", "organisation"),
        ("3", "Exempelbolaget AB", "", "", "organisation"),
    )
    path = write_judgements(tmp_path / "j.csv", ("1", "3", "different", "Testredaktör", "2026-01-01", ""))
    linkage = link_records(recs, read_judgements(path))
    assert not same(linkage, "1", "3")
    assert linkage.entities["entity_id"].is_unique


def test_judgement_same_links_what_the_rules_would_not(tmp_path):
    recs = records(
        ("1", "Anna Testsson", "", "", "person"),
        ("2", "Testsson, Anna", "", "", "person"),
    )
    assert not same(link_records(recs), "1", "2")
    path = write_judgements(
        tmp_path / "j.csv", ("record:1", "record:2", "same", "Testredaktör", "2026-01-01", "same donor")
    )
    linkage = link_records(recs, read_judgements(path))
    assert same(linkage, "1", "2")
    assert linkage.links.set_index("record_id").loc["2", "rule"] == "judgement_same"


def test_judgement_same_cannot_join_two_organisationsnummer(tmp_path):
    recs = records(
        ("1", "Nordisk Påhittsteknik AB", "556900-1133", "", "organisation"),
        ("2", "Nordisk Påhittsteknik AB", "559100-2240", "", "organisation"),
    )
    path = write_judgements(
        tmp_path / "j.csv", ("orgnr:5569001133", "orgnr:559100-2240", "same", "X", "2026-01-01", "")
    )
    linkage = link_records(recs, read_judgements(path))
    assert not same(linkage, "1", "2")
    assert linkage.warnings and "different identifiers" in linkage.warnings[0]


def test_judged_pairs_leave_the_review_list(tmp_path):
    recs = records(
        ("jan", "Jan Exempelsson", "", "Ängsvägen 2, 444 55 Fiktivby", "person"),
        ("jon", "Jon Exempelsson", "", "Ängsvägen 2, 444 55 Fiktivby", "person"),
    )
    assert len(uncertain_pairs(recs)) == 1
    path = write_judgements(tmp_path / "j.csv", ("jon", "jan", "unsure", "X", "2026-01-01", "ask"))
    assert len(uncertain_pairs(recs, path)) == 0


def test_default_judgements_file_is_optional(tmp_path):
    assert load_judgements(None) == []  # PARTIFINANS_MANUAL points at an empty temp dir


@pytest.mark.parametrize(
    "row, message",
    [
        pytest.param(("1", "2", "maybe", "", "", ""), "line 2: judgement must be", id="bad-verdict"),
        pytest.param(
            ("pnr:18900101-1239", "2", "same", "", "", ""),
            "never write a personnummer in clear",
            id="clear-pnr",
        ),
        pytest.param(
            ("orgnr:556677-8898", "2", "same", "", "", ""), "not a valid organisationsnummer", id="bad-orgnr"
        ),
    ],
)
def test_bad_judgements_file_is_one_line_error(tmp_path, row, message):
    from partifinans.errors import BadInput

    path = write_judgements(tmp_path / "j.csv", row)
    with pytest.raises(BadInput, match=message) as exc:
        read_judgements(path)
    assert str(exc.value).startswith(str(path)) and "\n" not in str(exc.value)


def test_shipped_judgements_file_reads():
    from partifinans import config

    path = config.PACKAGE_DIR.parent.parent / "data" / "manual" / "judgements.csv"
    assert isinstance(read_judgements(path), list)


def test_year_range_and_counts():
    recs = records(
        ("1", "Exempelbolaget AB", "556123-4567", "", "organisation"),
        ("2", "Exempelbolaget AB", "", "", "organisation"),
    )
    recs["year"] = [2019, 2023]
    (row,) = link_records(recs).entities.to_dict("records")
    assert (row["first_year"], row["last_year"], row["n_records"]) == (2019, 2023, 2)


def test_year_range_with_a_record_without_year_and_an_entity_without_any():
    recs = records(
        ("1", "Exempelbolaget AB", "556123-4567", "", "organisation"),
        ("2", "Exempelbolaget AB", "", "", "organisation"),
        ("3", "Exempelbolaget AB", "", "", "organisation"),
        ("4", "Påhittat Fiktivsson", "", "Storgatan 1, 123 45 Exempelstad", "person"),
    )
    recs["year"] = pd.array([2021, None, 2019, None], dtype="Int64")
    entities = link_records(recs).entities.set_index("canonical_name")
    assert (entities.loc["Exempelbolaget AB", "first_year"], entities.loc["Exempelbolaget AB", "last_year"]) == (2019, 2021)
    assert pd.isna(entities.loc["Påhittat Fiktivsson", "first_year"])
    assert pd.isna(entities.loc["Påhittat Fiktivsson", "last_year"])


def test_canonical_name_is_the_most_frequent_spelling_once_folded():
    # "EXEMPELBOLAGET AB" twice, "Exempelbolaget AB" once, "Exempelbolaget Aktiebolag" once: the
    # folded spelling written three times wins, and of its spellings the more frequent one
    recs = records(
        ("1", "EXEMPELBOLAGET AB", "556123-4567", "", "organisation"),
        ("2", "EXEMPELBOLAGET AB", "556123-4567", "", "organisation"),
        ("3", "Exempelbolaget AB", "556123-4567", "", "organisation"),
        ("4", "Exempelbolaget Aktiebolag", "556123-4567", "", "organisation"),
        ("5", "Fiktiv Handel HB", "", "", "organisation"),
    )
    names = sorted(link_records(recs).entities["canonical_name"])
    assert names == ["EXEMPELBOLAGET AB", "Fiktiv Handel HB"]


def test_empty_input():
    linkage = link_records(pd.DataFrame(columns=["record_id", "name"]))
    assert len(linkage.links) == 0 and len(linkage.entities) == 0


def test_missing_default_judgements_file_is_no_judgements_but_another_path_must_exist(tmp_path):
    from partifinans import config
    from partifinans.errors import BadInput

    assert load_judgements(config.judgements_path()) == []  # what `partifinans ingest` passes
    with pytest.raises(BadInput, match="judgements file not found"):
        load_judgements(tmp_path / "elsewhere.csv")


def test_judgements_about_absent_records_are_counted_in_one_warning(tmp_path):
    path = write_judgements(
        tmp_path / "j.csv",
        ("gone-1", "gone-2", "same", "X", "2026-01-01", ""),
        ("gone-3", "1", "different", "X", "2026-01-01", ""),
    )
    linkage = link_records(records(("1", "Exempelbolaget AB", "", "", "")), read_judgements(path))
    assert linkage.warnings == ["2 of 2 judgements name records that are not in this input (ignored)"]


def test_person_entity_id_without_number_is_keyed(tmp_path, monkeypatch):
    """A name+address entity id cannot be recomputed by someone who guesses the donor."""
    records = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "name": ["Testa Testsson", "Testsson, Testa"],
            "donor_id": [None, None],
            "address": ["Påhittgatan 1, Exempelstad"] * 2,
            "kind": ["person", "person"],
            "year": [2022, 2023],
            "recipient": ["X", "Y"],
        }
    )
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "k1"))
    first = link_records(records).links["entity_id"].tolist()
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "k2"))
    second = link_records(records).links["entity_id"].tolist()
    assert first[0] == first[1] and second[0] == second[1]
    assert first[0] != second[0]


# weighed evidence (issue #16): a rare name with a number in one record, an address in another,
# among 48 other donors who each gave twice (the prior odds are learnt from such repeat donors; in
# a file of a few one-off records no name can be shown to be rare, and nothing is merged)
_FIRST = ["Lars", "Eva", "Nils", "Karin", "Olle", "Greta", "Sten", "Ulla"]
_LAST = ["Testberg", "Påhittsson", "Fiktivsson", "Provlund", "Skissgren", "Låtsasdal"]
_PARTIES = ["Moderaterna", "Liberalerna", "Vänsterpartiet", "Centerpartiet", "Miljöpartiet"]
_OTHERS = [
    (
        f"f{k:02d}{y}",
        f"{first} {last}",
        "",
        f"Ekvägen {k + 1}, 123 45 Exempelstad",
        "person",
        2018 + y,
        _PARTIES[k % 5],
    )
    for k, (first, last) in enumerate((f, la) for f in _FIRST for la in _LAST)
    for y in (k % 4, k % 4 + 2)
]
RARE_NAME = pd.DataFrame(
    [
        ("1", "Maria Exempelsson", "18910314-2486", "", "person", 2019, "Centerpartiet"),
        ("2", "EXEMPELSSON, MARIA", "", "Storgatan 16, 702 52 Örebro", "person", 2021, "Centerpartiet"),
        *_OTHERS,
    ],
    columns=["record_id", "name", "donor_id", "address", "kind", "year", "recipient"],
)


def test_in_a_file_of_one_off_donors_a_name_alone_is_only_listed_for_review():
    one_off = RARE_NAME.drop_duplicates("name")
    assert len(one_off) == 2 + 48
    linkage = link_records(one_off)
    assert not same(linkage, "1", "2")
    review = linkage.uncertain
    assert list(zip(review["left"], review["right"], strict=True)) == [("1", "2")]
    assert 50 <= review["score"].iloc[0] < 95


def test_a_rare_name_with_a_number_once_and_an_address_once_is_one_person():
    linkage = link_records(RARE_NAME)
    assert same(linkage, "1", "2")
    links = linkage.links.set_index("record_id")
    assert links.loc["2", "rule"] == "weighed_evidence" or links.loc["1", "rule"] == "weighed_evidence"


def test_a_human_judgement_different_wins_over_weighed_evidence(tmp_path):
    path = write_judgements(tmp_path / "j.csv", ("1", "2", "different", "Testredaktör", "2026-01-01", ""))
    linkage = link_records(RARE_NAME, read_judgements(path))
    assert not same(linkage, "1", "2")
    assert linkage.uncertain.empty  # judged: no longer listed for review


def test_weighed_evidence_never_joins_two_identity_numbers():
    two = RARE_NAME.copy()
    two.loc[1, "donor_id"] = "18930822-1465"
    linkage = link_records(two)
    assert not same(linkage, "1", "2")
    assert all(len(ids) <= 1 for ids in linkage.entities["identifiers"])


def test_display_names_agree_with_display_name():
    from partifinans.link.normalise import display_name, display_names, parse_name

    raws = ["", " ", "Lindqvist, Anna-Karin", "Anna  Karin\u00a0Lindqvist ", "Exempelbolaget, AB", "Berg, 12", "a, b, c"]
    assert display_names(raws, [parse_name(r) for r in raws]) == [display_name(r) for r in raws]
    assert display_names(raws[2:4], [parse_name(r) for r in raws[2:4]]) == ["Anna-Karin Lindqvist", "Anna Karin Lindqvist"]


def test_identifiers_in_names_agree_with_identifier_in_name():
    from partifinans.link.normalise import identifier_in_name, identifiers_in_names

    raws = [
        "Exempelbolaget AB (556677-8899)",
        "Exempelbolaget AB 556677-8898",  # not valid
        "SE556677889901 Exempel",
        "Fiktiv 123456 Handel",
        "Fiktiv\x00556677-8899",
        "Test 12345 6",
        "",
        "Prov \u0665\u0665\u0666\u0666\u0667\u0667-\u0668\u0668\u0669\u0669",
        "Dröm 16556677-8899 AB",
    ]
    assert identifiers_in_names(raws) == [identifier_in_name(r) for r in raws]
    assert identifiers_in_names(raws)[:3] == ["556677-8899", None, "556677-8899"]
    assert identifiers_in_names([]) == []
