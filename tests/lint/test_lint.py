"""lint: each card-quality rule on a tiny deck that breaks it and one that keeps it; exceptions;
the shipped deck lints clean; `factdeck lint` and the warnings of build and check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.lint.engine import MAX_ANSWER_WORDS, lint
from factdeck.lint.rules import RULES as CONTENT_RULES
from factdeck.pipeline import expanded
from tests.support.decks import deck_yaml, facts_yaml, question, write_tree
from tests.support.findings import linted

DECK = deck_yaml()
EXAM_DECK = deck_yaml(exam_areas={"anatomy-physiology": "Anatomy & physiology"})


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def findings(project: Path, facts: str, deck: str = DECK) -> list[str]:
    """Each finding as 'line fact [rule] message' (file and rule order as lint sorts them)."""
    deck_dir = write_tree(project / "cards" / "tiny", {"deck.yaml": deck, "facts.yaml": facts})
    found = linted(deck_dir)
    assert all(f.location.path == deck_dir / "facts.yaml" for f in found)
    return [f"{f.location.line} {f.fact_id} [{f.rule}] {f.message}" for f in found]


def test_long_answer(project: Path) -> None:
    limit = " ".join(["word"] * MAX_ANSWER_WORDS)
    assert (
        findings(project, facts_yaml(question("ok", "What is the limit of an answer?", limit)))
        == []
    )
    assert findings(
        project, facts_yaml(question("long", "What is over the limit here?", limit + " more"))
    ) == [
        f"2 long [long-answer] note 'qa': answer has 13 words (limit 12): '{limit} more'; "
        "ask for less, or split the fact"
    ]


def test_list_answer(project: Path) -> None:
    assert (
        findings(
            project,
            facts_yaml(
                question("two", "Which fibers do the dorsal rami carry?", "Motor and sensory"),
                question("number", "How many fibers can the dorsal rami carry?", "Up to 200,000"),
            ),
        )
        == []
    )
    assert findings(
        project,
        facts_yaml(
            question(
                "three",
                "Which nerves can be entrapped near the pelvis?",
                "Superior, medial and inferior cluneal",
            ),
            question(
                "lines",
                "Which fibers do the dorsal rami carry in total?",
                "Motor<br>sensory",
                html=["answer"],
            ),
        ),
    ) == [
        "2 three [list-answer] note 'qa': answer is a list: 'Superior, medial and inferior "
        "cluneal'; make one cloze per item (a list field with the `clozes` filter)",
        "3 lines [list-answer] note 'qa': answer is a list: 'Motor sensory'; make one cloze per "
        "item (a list field with the `clozes` filter)",
    ]


def test_cloze_answers_are_linted_one_deletion_at_a_time(project: Path) -> None:
    assert findings(
        project,
        """
        facts:
          - id: ok
            kind: nerve
            name: dorsal rami
            plural: true
            course: [over the iliac crest, through the thoracolumbar fascia, into the skin]
            source: body
          - id: blob
            kind: statement
            text: "The cluneal nerves are the {{c1::superior, medial and inferior}} nerves."
            source: body
    """,
    ) == [
        "8 blob [list-answer] note 'text': answer is a list: 'superior, medial and inferior'; "
        "make one cloze per item (a list field with the `clozes` filter)"
    ]


def test_duplicate_and_near_duplicate_questions(project: Path) -> None:
    assert (
        findings(
            project,
            facts_yaml(
                question("s", "Which cluneal nerves arise from S1–S3?", "Medial"),
                question("l", "Which cluneal nerves arise from L1–L3?", "Superior"),
            ),
        )
        == []
    )
    assert findings(
        project,
        facts_yaml(
            question("a", "Which nerves arise from L1–L3?", "Superior cluneal"),
            question("b", "Which nerves arise from the L1–L3?", "Superior cluneal nerves"),
        ),
    ) == [
        "2 a [duplicate-question] note 'qa' asks the same question as fact 'b' note 'qa': "
        "'Which nerves arise from L1–L3?'",
        "3 b [duplicate-question] note 'qa' asks the same question as fact 'a' note 'qa': "
        "'Which nerves arise from the L1–L3?'",
    ]
    long = "Which small sensory nerves innervate the superficial tissues throughout the entire "
    assert findings(
        project,
        facts_yaml(
            question("c", long + "gluteal region?", "Cluneal nerves"),
            question("d", long + "buttock region?", "The cluneal nerves, again"),
        ),
    ) == [
        f"2 c [duplicate-question] note 'qa' asks nearly the same question as fact 'd' note "
        f"'qa': '{long}gluteal region?'",
        f"3 d [duplicate-question] note 'qa' asks nearly the same question as fact 'c' note "
        f"'qa': '{long}buttock region?'",
    ]


def test_same_answer_across_facts(project: Path) -> None:
    assert (
        findings(
            project,
            """
        facts:
          - id: forward-and-reverse
            kind: nerve
            name: cluneal nerves
            plural: true
            origin: the posterior femoral cutaneous nerve
            source: body
          - {id: named, kind: question, question: Which nerves innervate the buttock skin?,
             answer: The cluneal nerves, source: body}
          - {id: short, kind: question, question: Where do the cluneal nerves run?,
             answer: Gluteal region, source: body}
          - {id: short-too, kind: question, question: Where is piriformis syndrome felt?,
             answer: Gluteal region, source: body}
    """,
        )
        == []
    )
    assert findings(
        project,
        facts_yaml(
            question("one", "What may explain pain from back mice?", "Pressure on nerve fibers"),
            question("two", "What may explain pain in the buttock?", "pressure on nerve fibers."),
        ),
    ) == [
        "2 one [same-answer] note 'qa': answer 'Pressure on nerve fibers' also answers fact "
        "'two'; make the questions ask for different things, or merge the facts",
        "3 two [same-answer] note 'qa': answer 'pressure on nerve fibers.' also answers fact "
        "'one'; make the questions ask for different things, or merge the facts",
    ]


def test_unnamed_subject(project: Path) -> None:
    assert findings(
        project,
        facts_yaml(
            question("pronoun", "They carry how many nerve fibers?", "Up to 200,000"),
            question("short", "Where?", "Along the spine"),
        ),
    ) == [
        "2 pronoun [unnamed-subject] note 'qa': question starts with 'they': 'They carry how "
        "many nerve fibers?'; name the subject, a shuffled review gives no context",
        "3 short [unnamed-subject] note 'qa': question has fewer than 4 words: 'Where?'; say "
        "what it is about",
    ]
    write_tree(
        project / "templates" / "kinds",
        {
            "structure.yaml": """
        notes:
          - id: is-a
            note_type: qa
            requires: [is_a]
            fields: {Front: "What kind of tissue is it?", Back: "{{ is_a }}"}
          - id: location
            note_type: qa
            requires: [location]
            fields: {Front: "Where is the {{ aka[0] if aka else name }}?",
                     Back: "{{ location }}"}
    """
        },
    )
    assert findings(
        project,
        """
        facts:
          - {id: tlf, kind: structure, name: thoracolumbar fascia, is_a: dense fibrous tissue,
             location: low back, source: body}
          - {id: lpsl, kind: structure, name: long posterior sacroiliac ligament,
             aka: [long sacroiliac ligament], location: over the sacrum, source: body}
    """,
    ) == [
        "2 tlf [unnamed-subject] note 'is-a': neither question nor answer names the structure "
        "('thoracolumbar fascia'): 'What kind of tissue is it?'"
    ]


def test_no_source(project: Path) -> None:
    write_tree(
        project / "templates" / "kinds",
        {
            "question.yaml": """
        notes:
          - id: qa
            note_type: qa
            fields: {Front: "{{ question }}", Back: "{{ answer }}",
                     Source: "{{ source.section if extra else '' }}"}
    """
        },
    )
    assert findings(
        project,
        facts_yaml(
            question(
                "sourced", "Where do the cluneal nerves run?", "Gluteal region", extra="shown"
            ),
            question("bare", "Where do the dorsal rami run?", "Along the spine"),
        ),
    ) == ["3 bare [no-source] note 'qa': the card shows no source; give the fact a 'source'"]


def test_no_exam_tag_when_the_deck_declares_exam_areas(project: Path) -> None:
    tagged = ["exam::anatomy-physiology"]
    assert (
        findings(project, facts_yaml(question("a", "Where do the dorsal rami run?", "Spine")), DECK)
        == []
    )
    assert findings(
        project,
        facts_yaml(
            question("a", "Where do the dorsal rami run?", "Spine", tags=tagged),
            question("b", "Where do the cluneal nerves run?", "Buttock", tags=["lbp::x"]),
        ),
        EXAM_DECK,
    ) == ["3 b [no-exam-tag] no exam tag; add one of: exam::anatomy-physiology"]


def test_exceptions_silence_a_rule_for_their_fact_only(project: Path) -> None:
    why = {"list-answer": "the three branches are learnt as a set"}
    assert findings(
        project,
        facts_yaml(
            question(
                "kept",
                "Which branches do the cluneal nerves have?",
                "Superior, medial, inferior",
                lint=why,
            ),
            question(
                "stale",
                "Which fibers do the dorsal rami carry?",
                "Mixed",
                lint={"list-answer": "no longer a list"},
            ),
            question(
                "typo",
                "Which fibers do the cluneal nerves carry?",
                "Sensory",
                lint={"list-answr": "x"},
            ),
        ),
    ) == [
        "3 stale [bad-exception] 'lint' silences 'list-answer', which this fact does not "
        "trigger; delete the exception",
        "4 typo [bad-exception] 'lint' names unknown rule 'list-answr' (did you mean "
        "'list-answer'?); rules: long-answer, list-answer, duplicate-question, same-answer, "
        "unnamed-subject, no-source, no-exam-tag, bad-exception, hidden-character, "
        + ", ".join(CONTENT_RULES)
        + ", diagram-giveaway, diagram-composed, diagram-small-text, "
        "diagram-mask-colour, leader-off-target, leaders-cross",
    ]


def test_image_occlusion_notes_are_not_linted_as_questions(real_deck: Path) -> None:
    """Their question is a picture; only the content rules that read labels (a label asked
    twice, on two figures, its spelling) and the facts' own fields (references) apply."""
    checked = expanded(real_deck)
    diagrams = [n for n in checked.notes if n.note_type.startswith("io-")]
    found = lint(checked.deck, diagrams, checked.templates.note_types)
    assert diagrams and {f.rule for f in found} <= {
        "asked-twice",
        "label-twice",
        "diagram-composed",
        "leader-off-target",
        "leaders-cross",
        "spelling",
        "unjustified-ref",
        "number-agreement",
        "bad-exception",
    }


# --- the command line -----------------------------------------------------------------------

BAD_FACTS = facts_yaml(question("pronoun", "They carry how many nerve fibers?", "Up to 200,000"))
BAD_LINE = (
    "cards/tiny/facts.yaml:2: fact 'pronoun': [unnamed-subject] note 'qa': question "
    "starts with 'they': 'They carry how many nerve fibers?'; name the subject, a "
    "shuffled review gives no context"
)


def test_lint_command_lists_findings_and_fails(runner: CliRunner, project: Path) -> None:
    write_tree(project / "cards" / "tiny", {"deck.yaml": DECK, "facts.yaml": BAD_FACTS})
    result = runner.invoke(main, ["lint"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        f"{BAD_LINE}\nTiny: 1 lint finding in 1 notes\n",
        "",
    )


def test_lint_command_passes_a_clean_deck(runner: CliRunner, project: Path) -> None:
    deck_dir = write_tree(
        project / "cards" / "tiny",
        {
            "deck.yaml": DECK,
            "facts.yaml": facts_yaml(
                question("ok", "How many fibers can the dorsal rami carry?", "Up to 200,000")
            ),
        },
    )
    result = runner.invoke(main, ["lint", str(deck_dir)])
    assert (result.exit_code, result.output) == (0, "Tiny: no lint findings in 1 notes\n")


def test_build_and_check_warn_but_succeed(runner: CliRunner, project: Path) -> None:
    write_tree(project / "cards" / "tiny", {"deck.yaml": DECK, "facts.yaml": BAD_FACTS})
    checked = runner.invoke(main, ["check"])
    assert (checked.exit_code, checked.stdout, checked.stderr) == (
        0,
        "OK Tiny: 1 facts, 1 notes\n",
        f"Warning: {BAD_LINE}\n",
    )
    built = runner.invoke(main, ["build"])
    assert (built.exit_code, built.stderr) == (0, f"Warning: {BAD_LINE}\n")
    assert Path("dist/tiny.apkg").is_file()


def test_a_rule_on_trial_is_shown_but_does_not_fail_lint(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules land as warnings (engine.TRIAL) while the shipped deck is fixed for them."""
    write_tree(project / "cards" / "tiny", {"deck.yaml": DECK, "facts.yaml": BAD_FACTS})
    rule = BAD_LINE.split("[", 1)[1].split("]", 1)[0]
    monkeypatch.setattr("factdeck.lint.engine.TRIAL", frozenset({rule}))
    result = runner.invoke(main, ["lint"])
    assert (result.exit_code, result.stdout) == (
        0,
        f"{BAD_LINE}\nTiny: 1 lint finding in 1 notes (1 of rules on trial, which do not "
        "fail lint yet)\n",
    )
    listed = runner.invoke(main, ["lint", "--rules"]).stdout.splitlines()
    assert [line.split()[0] for line in listed if line.endswith("(on trial)")] == [rule]
