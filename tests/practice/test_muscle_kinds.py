"""The curriculum kinds: a muscle's notes and its practice questions, whose wrong options
are sibling muscles' same field (never one that is also right); a structure's contents and
borders; a condition's signs, symptoms, contraindications and cautions."""

from __future__ import annotations

from pathlib import Path

from factdeck.anki import ids
from factdeck.pipeline import expanded
from factdeck.practice import PRACTICE_TAG
from tests.practice.test_practice import options_of
from tests.support.decks import PRACTICE_DECK as DECK
from tests.support.decks import write_tree

FACTS = """
    defaults:
      source: body
      tags: [p::knee]
    facts:
      - {id: rf, kind: muscle, name: rectus femoris, group: quadriceps muscle,
         origin: the anterior inferior iliac spine, insertion: the tibial tuberosity,
         actions: [extends the knee], innervation: the femoral nerve (L2–L4),
         blood_supply: the lateral circumflex femoral artery}
      - {id: vl, kind: muscle, name: vastus lateralis, group: quadriceps muscle,
         origin: the greater trochanter and the linea aspera, insertion: the tibial tuberosity,
         actions: [extends the knee], innervation: the femoral nerve (L2–L4)}
      - {id: sm, kind: muscle, name: semimembranosus, origin: the ischial tuberosity,
         insertion: the medial tibial condyle, actions: [flexes the knee],
         innervation: the tibial nerve (L5–S2)}
      - {id: sa, kind: muscle, name: sartorius, origin: the anterior superior iliac spine,
         insertion: the pes anserinus, actions: [flexes the hip],
         innervation: the femoral nerve (L2–L3)}
      - {id: pop, kind: muscle, name: popliteus, origin: the lateral femoral condyle,
         insertion: the posterior tibia above the soleal line, actions: [unlocks the knee],
         innervation: the tibial nerve (L4–S1)}
      - {id: gr, kind: muscle, name: gracilis, origin: the inferior pubic ramus,
         insertion: the medial proximal tibia, actions: [adducts the hip],
         innervation: the obturator nerve (L2–L3)}
      - {id: ct, kind: structure, name: carpal tunnel, is_a: an osteofibrous canal,
         contents: [the median nerve, the flexor tendons],
         borders: ["roof: the flexor retinaculum", "floor: the carpal bones"]}
      - {id: cts, kind: condition, name: carpal tunnel syndrome,
         signs: [a positive Phalen's test], symptoms: [numbness of the thumb],
         contraindications: [deep pressure over the carpal tunnel],
         cautions: [wrist flexion held for long]}
"""


def test_curriculum_kinds_yield_their_notes(project: Path) -> None:
    deck = write_tree(project / "cards" / "knee", {"deck.yaml": DECK, "facts.yaml": FACTS})
    notes = {f"{n.fact_id}/{n.card_id}": n for n in expanded(deck).notes}
    assert [k for k in notes if k.startswith("rf/")] == [
        "rf/origin",
        "rf/origin-reverse",
        "rf/insertion",
        "rf/actions",
        "rf/innervation",
        "rf/blood-supply",
        *(f"rf/practice/{q}" for q in ("origin", "insertion", "actions", "innervation")),
    ]
    assert notes["rf/origin"].guid == ids.guid_for("practice", "rf", "origin")
    assert notes["rf/origin"].fields[:2] == (
        "Where does the rectus femoris originate?",
        "The anterior inferior iliac spine",
    )
    assert notes["rf/origin-reverse"].fields[:2] == (
        "Which quadriceps muscle originates from the anterior inferior iliac spine?",
        "The rectus femoris",
    )
    assert notes["rf/actions"].fields[0] == (
        "Action of the rectus femoris: {{c1::extends the knee}}."
    )
    assert notes["rf/innervation"].fields[:2] == (
        "Which nerve innervates the rectus femoris?",
        "The femoral nerve (L2–L4)",
    )
    assert notes["ct/contents"].fields[0] == (
        "Contents of the carpal tunnel: {{c1::the median nerve}} and {{c2::the flexor tendons}}."
    )
    assert notes["ct/borders"].fields[0] == (
        "Borders of the carpal tunnel: {{c1::roof: the flexor retinaculum}} and "
        "{{c2::floor: the carpal bones}}."
    )
    texts = {k: notes[k].fields[0] for k in ("cts/signs", "cts/symptoms", "cts/cautions")}
    assert texts == {
        "cts/signs": "Signs of carpal tunnel syndrome: {{c1::a positive Phalen&#39;s test}}.",
        "cts/symptoms": "Symptoms of carpal tunnel syndrome: {{c1::numbness of the thumb}}.",
        "cts/cautions": "Cautions in massage for carpal tunnel syndrome: "
        "{{c1::wrist flexion held for long}}.",
    }
    assert "cts/contraindications" in notes


def test_muscle_practice_takes_wrong_options_from_sibling_muscles(project: Path) -> None:
    deck = write_tree(project / "cards" / "knee", {"deck.yaml": DECK, "facts.yaml": FACTS})
    practice = {
        f"{n.fact_id}/{n.card_id}": n for n in expanded(deck).notes if PRACTICE_TAG in n.tags
    }
    origins = {
        "the anterior inferior iliac spine",
        "the greater trochanter and the linea aspera",
        "the ischial tuberosity",
        "the anterior superior iliac spine",
        "the lateral femoral condyle",
        "the inferior pubic ramus",
    }
    options = options_of(practice["rf/practice/origin"])
    assert [mark for _, _, mark in options].count("correct") == 1
    assert {text for _, text, mark in options if mark == "correct"} == {
        "The anterior inferior iliac spine"
    }
    wrong = {text[0].lower() + text[1:] for _, text, mark in options if mark == "wrong"}
    assert len(wrong) == 3 and wrong <= origins - {"the anterior inferior iliac spine"}
    # the vastus lateralis inserts on the tibial tuberosity too: never a wrong option for
    # the rectus femoris, whose siblings with another insertion are
    insertion = [(t.lower(), m) for _, t, m in options_of(practice["rf/practice/insertion"])]
    assert [t for t, m in insertion if "tibial tuberosity" in t] == ["the tibial tuberosity"]
    assert ("the tibial tuberosity", "correct") in insertion
    assert {t for t, m in insertion if m == "wrong"} <= {
        "the medial tibial condyle",
        "the pes anserinus",
        "the posterior tibia above the soleal line",
        "the medial proximal tibia",
    }
    nerves = [
        t.lower() for _, t, m in options_of(practice["rf/practice/innervation"]) if m == "wrong"
    ]
    assert not any(n.startswith("the femoral nerve (l2–l4)") for n in nerves)
    assert len(nerves) == 3
