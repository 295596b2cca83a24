"""The content lint rules (lint/rules/): each on a tiny deck that breaks it and one that keeps
it, through the real pipeline (facts -> templates -> notes -> lint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.diagrams.occlusion import mask_labels
from factdeck.lint.engine import RULES
from factdeck.lint.rules import RULES as CONTENT_RULES
from factdeck.lint.rules.number import looks_plural
from factdeck.lint.rules.spelling import us_spelling
from factdeck.pipeline import expanded
from tests.support.decks import SMITH, Fact, deck_yaml, facts_yaml, question, write_tree
from tests.support.findings import linted

DECK = deck_yaml(references=SMITH)


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def rules_hit(project: Path, facts: list[Fact], rule: str) -> list[str]:
    """Messages of `rule`'s findings, as 'fact: message'."""
    deck_dir = write_tree(
        project / "cards" / "tiny", {"deck.yaml": DECK, "facts.yaml": facts_yaml(*facts)}
    )
    return [f"{f.fact_id}: {f.message}" for f in linted(deck_dir) if f.rule == rule]


# qa and cloze give a list of one fact, so the facts of a test add up with +
def qa(fact_id: str, asked: str, answer: str, **more: object) -> list[Fact]:
    return [question(fact_id, asked, answer, **more)]


def cloze(fact_id: str, text: str) -> list[Fact]:
    return [{"id": fact_id, "kind": "statement", "text": text, "source": "body"}]


def nerve(fact_id: str, name: str, levels: str, **more: object) -> list[Fact]:
    return [
        {"id": fact_id, "kind": "nerve", "name": name, "levels": levels, "source": "body"} | more
    ]


SUPERIOR = nerve("n", "superior cluneal nerves", "L1–L3", plural=True)


def test_every_content_rule_is_a_lint_rule() -> None:
    assert set(CONTENT_RULES) <= set(RULES)
    assert {
        "vague-question",
        "negative-question",
        "no-antecedent",
        "cloze-giveaway",
        "cloze-opposites",
        "cloze-set",
        "answer-in-question",
        "asked-twice",
        "unjustified-ref",
        "spelling",
        "number-agreement",
        "cue-shares-answer",
        "label-twice",
        "key-position",
        "distractor-overlaps-key",
        "mixed-options",
        "no-belongs-to",
        "misplaced-field",
    } == set(CONTENT_RULES)


@pytest.mark.parametrize(
    "question",
    [
        "What is one possible cause of paraspinal muscle pain?",
        "What can massage therapists address with myofascial release?",
        "What is one of the causes of gluteal pain?",
        "What is the first step in resolving many clinical problems?",
        "Name one nerve that crosses the iliac crest.",
    ],
)
def test_vague_question(project: Path, question: str) -> None:
    assert len(rules_hit(project, qa("v", question, "Something"), "vague-question")) == 1


def test_a_question_with_one_answer_is_not_vague(project: Path) -> None:
    assert (
        rules_hit(
            project,
            qa("v", "Which spinal levels give rise to the superior cluneal nerves?", "L1–L3"),
            "vague-question",
        )
        == []
    )


def test_negative_question(project: Path) -> None:
    found = rules_hit(
        project,
        qa("n", "Which nerve branches do not supply the paraspinal muscles?", "The ventral rami"),
        "negative-question",
    )
    assert found == [
        "n: note 'qa': asked in the negative ('not'): 'Which nerve branches do "
        "not supply the paraspinal muscles?'; ask what is true instead"
    ]
    assert (
        rules_hit(
            project,
            qa("n", "Which nerve branches supply the paraspinal muscles?", "The dorsal rami"),
            "negative-question",
        )
        == []
    )
    # a cloze sentence may state a negative fact; only questions are asked in the negative
    assert (
        rules_hit(
            project,
            cloze("c", "The {{c1::cluneal}} nerves are not motor nerves."),
            "negative-question",
        )
        == []
    )


def test_openings_and_generic_nouns_without_an_antecedent(project: Path) -> None:
    facts = (
        cloze("other", "Other S1–S3 nerve roots supply the {{c1::lower leg}}.")
        + cloze("bare", "Fascia that is pliable lets the nerves {{c1::glide}}.")
        + qa(
            "extra",
            "What is the long posterior sacroiliac ligament often mistaken for by students?",
            "A tendon",
            extra="The nerves run beside this ligament.",
        )
    )
    found = rules_hit(project, facts, "no-antecedent")
    assert any(m.startswith("other: note 'text': opens with 'other'") for m in found), found
    assert any(m.startswith("bare: note 'text': 'the nerves' in the question") for m in found)
    assert any("'the nerves' in the extra" in m and m.startswith("extra:") for m in found)
    assert not any("this ligament" in m for m in found), found  # named in the question


def test_named_nouns_are_not_flagged(project: Path) -> None:
    facts = (
        cloze(
            "named",
            "The superior cluneal nerves cross the {{c1::iliac crest}}, where "
            "the nerves can be compressed.",
        )
        + cloze("after", "The nerves of the buttock are the {{c1::cluneal nerves}}.")
        + qa(
            "cata",
            "Which technique, applied along the muscles, eases paraspinal muscle pain?",
            "Long gliding strokes",
        )
    )
    assert rules_hit(project, facts, "no-antecedent") == []


def test_cloze_giveaway_by_a_shared_stem(project: Path) -> None:
    found = rules_hit(
        project,
        cloze(
            "g", "The {{c1::sensory}} fibers of the cluneal nerves carry sensation from the skin."
        ),
        "cloze-giveaway",
    )
    assert found == [
        "g: note 'text': c1 hides 'sensory', but 'sensation' shows in the rest: "
        "'The [...] fibers of the cluneal nerves carry sensation from the skin.'; "
        "hide a word the sentence does not imply, or reword the sentence"
    ]
    assert (
        rules_hit(
            project,
            cloze("g", "The cluneal nerves carry {{c1::sensory}} fibers only."),
            "cloze-giveaway",
        )
        == []
    )


def test_a_question_that_answers_itself(project: Path) -> None:
    found = rules_hit(
        project,
        qa("a", "Which massage strokes glide along the spine?", "Gliding strokes"),
        "answer-in-question",
    )
    assert found == [
        "a: note 'qa': every word of the answer 'Gliding strokes' is in the "
        "question: 'Which massage strokes glide along the spine?'; ask for what "
        "the question does not already say"
    ]
    assert (
        rules_hit(
            project,
            qa("a", "Which massage strokes run along the spine?", "Long gliding strokes"),
            "answer-in-question",
        )
        == []
    )
    choice = qa(
        "a",
        "Which branches supply the paraspinal muscles: dorsal or ventral rami?",
        "The dorsal rami",
    )
    assert rules_hit(project, choice, "answer-in-question") == []


def test_sibling_opposites_and_a_visible_opposite(project: Path) -> None:
    found = rules_hit(
        project,
        cloze(
            "o",
            "The {{c1::superior}} cluneal nerves run above the {{c2::inferior}} cluneal nerves.",
        ),
        "cloze-opposites",
    )
    assert found == [  # once: not again as "c1 hides … while its opposite shows", per card
        "o: note 'text': c1 and c2 hide 'superior' and 'inferior' in one sentence: each "
        "guesses the other; hide the pair in one deletion"
    ]
    found = rules_hit(
        project,
        cloze("o", "The dorsal rami have {{c1::medial}} and lateral branches."),
        "cloze-opposites",
    )
    assert found == [
        "o: note 'text': c1 hides 'medial' while its opposite 'lateral' shows: "
        "'The dorsal rami have [...] and lateral branches.'; hide both in one "
        "deletion, or split the contrast into two cards"
    ]
    # opposites in different sentences, or hidden in one deletion, guess nothing
    assert (
        rules_hit(
            project,
            cloze(
                "o",
                "The {{c1::superior}} cluneal nerves cross the crest. "
                "The {{c2::inferior}} ones wrap the gluteal fold.",
            ),
            "cloze-opposites",
        )
        == []
    )
    assert (
        rules_hit(
            project,
            cloze("o", "The dorsal rami have {{c1::medial and lateral}} branches."),
            "cloze-opposites",
        )
        == []
    )


def test_sibling_clozes_of_one_family(project: Path) -> None:
    found = rules_hit(
        project,
        cloze(
            "s",
            "Cluneal branches: {{c1::upper cluneal}}, "
            "{{c2::middle cluneal}} and {{c3::lower cluneal}}.",
        ),
        "cloze-set",
    )
    assert len(found) == 1 and "list one family" in found[0]
    assert (
        rules_hit(
            project,
            cloze("s", "Effects: {{c1::warmth}}, {{c2::circulation}} and {{c3::relaxation}}."),
            "cloze-set",
        )
        == []
    )


def test_asked_twice_across_note_types(project: Path) -> None:
    facts = SUPERIOR + cloze("s", "The superior cluneal nerves arise from {{c1::L1–L3}}.")
    found = rules_hit(project, facts, "asked-twice")
    assert sorted(m.split(":")[0] for m in found) == ["n", "s"], found
    assert any(
        "note 'levels': asks 'L1–L3' as fact 's' note 'text' (cloze) does" in m for m in found
    ), found
    other = SUPERIOR + cloze("s", "The iliohypogastric nerve arises from {{c1::L1}} alone.")
    assert rules_hit(project, other, "asked-twice") == []


def test_one_exception_justifies_an_asked_twice_pair(project: Path) -> None:
    why = {"asked-twice": "one is a review of the other"}
    justified = nerve("n", "superior cluneal nerves", "L1–L3", plural=True, lint=why)
    facts = justified + cloze("s", "The superior cluneal nerves arise from {{c1::L1–L3}}.")
    assert rules_hit(project, facts, "asked-twice") == []
    assert rules_hit(project, facts, "bad-exception") == []


def test_asked_twice_includes_diagram_labels(real_deck: Path) -> None:
    """A label of a native image-occlusion note (one note, a card per mask) counts as asked."""
    checked = expanded(real_deck)
    figure = next(e.fact for e in checked.deck.entries if e.fact.kind == "diagram")
    native = next(n for n in checked.notes if n.fact_id == figure.id)
    header = native.fields[2]
    answer = mask_labels(checked.deck)[figure.id][0]
    source = figure.source.section
    facts = qa("copy", f"{header}: which structure is labeled here?", answer, source=source)
    write_tree(real_deck, {"copy.yaml": facts_yaml(*facts)})
    found = [f for f in linted(real_deck) if f.rule == "asked-twice" and f.fact_id == "copy"]
    assert any("(diagram)" in f.message for f in found), found


def test_a_reference_needs_its_justification(project: Path) -> None:
    found = rules_hit(
        project,
        qa(
            "r",
            "Which levels give rise to the superior cluneal nerves?",
            "L1–L3",
            source={"section": "body", "refs": ["smith"]},
        ),
        "unjustified-ref",
    )
    assert found == [
        "r: cites smith without saying why; add `refs_why:` to the source (where "
        "the reference supports this claim), or drop the reference"
    ]
    why = "Smith's dissections are the article's evidence for the levels."
    justified = qa(
        "r",
        "Which levels give rise to the superior cluneal nerves?",
        "L1–L3",
        source={"section": "body", "refs": ["smith"], "refs_why": why},
    )
    assert rules_hit(project, justified, "unjustified-ref") == []


def test_british_spelling_in_a_us_deck(project: Path) -> None:
    facts = cloze("b", "The cluneal nerves carry {{c1::sensory}} fibres.") + cloze(
        "u", "The dorsal rami carry {{c1::motor}} fibers to the multifidus."
    )
    found = rules_hit(project, facts, "spelling")
    assert found == [
        "b: note 'text': British spelling 'fibres' (US: 'fibers'); the deck also "
        "writes 'fibers' (1×): pick one"
    ]
    us = cloze("b", "The cluneal nerves carry {{c1::sensory}} fibers.") + facts[1:]
    assert rules_hit(project, us, "spelling") == []


@pytest.mark.parametrize(
    ("british", "us"),
    [
        ("fibre", "fiber"),
        ("fibres", "fibers"),
        ("centre", "center"),
        ("oedema", "edema"),
        ("haematoma", "hematoma"),
        ("tumour", "tumor"),
        ("behaviours", "behaviors"),
        ("mobilise", "mobilize"),
        ("mobilised", "mobilized"),
        ("organisation", "organization"),
        ("paralyse", "paralyze"),
        ("travelled", "traveled"),
        ("grey", "gray"),
        ("orthopaedic", "orthopedic"),
    ],
)
def test_us_spelling_of_british_words(british: str, us: str) -> None:
    assert us_spelling(british) == us


@pytest.mark.parametrize(
    "word",
    [
        "exercise",
        "exercises",
        "promise",
        "raised",
        "arising",
        "precise",
        "fiber",
        "edema",
        "four",
        "hour",
        "course",
        "otherwise",
        "supervising",
        "improvisation",
        "noise",
        "devised",
        "surprising",
        "wise",
        "rise",
    ],
)
def test_words_spelled_alike_are_not_british(word: str) -> None:
    assert us_spelling(word) is None


def test_number_agreement_of_name_group_and_question(project: Path) -> None:
    facts = (
        nerve("g", "superior gluteal nerve", "L4–S1", group="gluteal nerves")
        + nerve("r", "dorsal rami", "L1–S3")
        + qa(
            "q",
            "Which gluteal nerve carry motor fibers to the gluteus medius?",
            "The superior gluteal nerve",
        )
    )
    found = rules_hit(project, facts, "number-agreement")
    assert any(
        m.startswith("g: group 'gluteal nerves' is plural but the fact has no 'plural: true'")
        for m in found
    ), found
    assert any(m.startswith("r: name 'dorsal rami' looks plural") for m in found), found
    assert any(m.startswith("q: note 'qa': 'Which gluteal nerve carry'") for m in found), found
    of = qa(
        "q",
        "Which branch of the cluneal nerves is most often compressed?",
        "The superior cluneal nerves",
    )
    assert rules_hit(project, of, "number-agreement") == []
    good = nerve("g", "superior gluteal nerve", "L4–S1", group="gluteal nerve") + nerve(
        "r", "dorsal rami", "L1–S3", plural=True
    )
    assert rules_hit(project, good, "number-agreement") == []


def test_looks_plural() -> None:
    assert looks_plural("dorsal rami") is True
    assert looks_plural("long gliding strokes") is True
    assert looks_plural("superior gluteal nerve") is False
    assert looks_plural("piriformis") is None
    assert looks_plural("paraspinal muscle pain") is None


def test_an_exception_silences_a_content_rule(project: Path) -> None:
    facts = qa(
        "v",
        "What is one possible cause of paraspinal muscle pain?",
        "Something",
        lint={"vague-question": "the article names only this cause"},
    )
    assert rules_hit(project, facts, "vague-question") == []
    assert rules_hit(project, facts, "bad-exception") == []
