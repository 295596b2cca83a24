"""The claim inventory: the shipped deck states every claim of its article and nothing else;
losing a claim's last card, or naming a fact or note that does not exist, is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from factdeck.errors import FactdeckError
from factdeck.facts import claims
from factdeck.pipeline import expanded
from tests.support.decks import MINI_DECK, write_tree

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def coverage_of(deck_dir: Path) -> claims.Coverage:
    checked = expanded(deck_dir)
    return claims.coverage(claims.load(deck_dir, checked.deck.spec), checked.notes)


def test_every_claim_of_the_article_has_a_card(real_deck: Path) -> None:
    coverage = coverage_of(real_deck)
    assert [str(p) for p in coverage.problems] == []
    assert len(coverage.covered) + len(coverage.not_carded) >= 70
    # 2.1.0 moved framing, hedged and trivia claims to not_carded, each with its reason
    assert len(coverage.covered) >= 50


def test_a_claim_left_off_the_cards_says_why_and_is_not_uncovered(mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "claims.yaml": """
        claims:
          - id: alpha
            section: body
            claim: The alpha nerves arise from L1–L3.
            covered_by: [nerve-a]
          - id: framing
            section: intro
            claim: Nerves are everywhere.
            not_carded: Framing, no exam asks it.
    """
        },
    )
    coverage = coverage_of(mini_deck)
    assert [str(p) for p in coverage.problems] == []
    assert [c.id for c in coverage.covered] == ["alpha"]
    assert [(c.id, c.not_carded) for c in coverage.not_carded] == [
        ("framing", "Framing, no exam asks it.")
    ]


def test_a_claim_is_either_carded_or_not(mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "claims.yaml": """
        claims:
          - id: alpha
            section: body
            claim: The alpha nerves arise from L1–L3.
            covered_by: [nerve-a]
            not_carded: Framing.
    """
        },
    )
    spec = expanded(mini_deck).deck.spec
    with pytest.raises(FactdeckError) as caught:
        claims.load(mini_deck, spec)
    assert [str(p) for p in caught.value.problems] == [
        "cards/mini/claims.yaml:2: claim 'alpha': give covered_by (the facts that state it) "
        "or not_carded (why no card states it), not both"
    ]


def test_every_card_states_a_claim_of_the_article(real_deck: Path) -> None:
    """Faithfulness the other way round: no card says what the inventory does not list.

    Diagram notes are the article's figures, not claims, and are left out.
    """
    checked = expanded(real_deck)
    listed = {
        ref for claim in claims.load(real_deck, checked.deck.spec) for ref in claim.covered_by
    }
    unlisted = [
        f"{n.fact_id}/{n.card_id}"
        for n in checked.notes
        if not n.note_type.startswith("io-")
        and n.fact_id not in listed
        and f"{n.fact_id}/{n.card_id}" not in listed
    ]
    assert unlisted == []


def test_removing_the_last_covering_fact_uncovers_its_claim(real_deck: Path) -> None:
    path = real_deck / "cluneal-medial.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"] = [f for f in data["facts"] if f["id"] != "medial-cluneal-pain-location"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    coverage = coverage_of(real_deck)
    line = next(
        n
        for n, text in enumerate(
            (real_deck / "claims.yaml").read_text(encoding="utf-8").splitlines(), 1
        )
        if text == "  - id: medial-cluneal-pain-location"
    )
    assert [str(p) for p in coverage.problems] == [
        f"cards/low-back-pain/claims.yaml:{line}: claim 'medial-cluneal-pain-location': fact "
        "'medial-cluneal-pain-location' does not exist (did you mean 'medial-cluneal-entrapment'?)",
        f"cards/low-back-pain/claims.yaml:{line}: claim 'medial-cluneal-pain-location' is "
        'stated by no card: "Pain from entrapment of the medial cluneal nerves is likely to be '
        'felt in the buttock but may also be experienced in the lower leg."; add a fact that '
        "states it and list it in covered_by",
    ]
    assert [c.id for c in coverage.uncovered] == ["medial-cluneal-pain-location"]


def test_a_dangling_reference_is_reported_even_when_another_fact_covers(mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "claims.yaml": """
        claims:
          - id: alpha
            section: body
            claim: The alpha nerves arise from L1–L3.
            covered_by: [nerve-a/levels, nerve-b, nerve-a/origin]
          - id: beta
            section: intro
            claim: The beta is big.
            covered_by: [fact-b]
    """
        },
    )
    coverage = coverage_of(mini_deck)
    assert [str(p) for p in coverage.problems] == [
        "cards/mini/claims.yaml:2: claim 'alpha': fact 'nerve-b' does not exist (did you mean "
        "'nerve-a'?)",
        "cards/mini/claims.yaml:2: claim 'alpha': fact 'nerve-a' has no note 'origin'; its "
        "notes: levels, levels-reverse",
    ]
    assert [c.id for c in coverage.covered] == ["alpha", "beta"]


def test_claims_file_is_not_read_as_facts_and_its_mistakes_are_located(mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "claims.yaml": """
        claims:
          - id: alpha
            section: bdy
            claim: The alpha nerves arise from L1–L3.
            covered_by: [nerve-a]
          - id: alpha
            section: body
            covered_by: [nerve-a]
    """
        },
    )
    spec = expanded(mini_deck).deck.spec
    with pytest.raises(FactdeckError) as caught:
        claims.load(mini_deck, spec)
    assert [str(p) for p in caught.value.problems] == [
        "cards/mini/claims.yaml:6: claim 'alpha': missing required field 'claim'",
        "cards/mini/claims.yaml:2: claim 'alpha': unknown section 'bdy' (did you mean "
        "'body'?); deck.yaml lists: intro, body",
    ]


def test_a_claims_file_needs_its_list(tmp_path: Path) -> None:
    deck_dir = write_tree(tmp_path / "d", {**MINI_DECK, "claims.yaml": "claim: []\n"})
    spec = expanded(deck_dir).deck.spec
    with pytest.raises(FactdeckError, match="a claims file holds one key, 'claims'"):
        claims.load(deck_dir, spec)
