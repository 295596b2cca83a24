"""Multiple-choice practice questions: which wrong options are valid, how four are chosen and
placed, and what the build, stats, release notes and preview make of them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.facts.model import PRACTICE_SUBDECK, NoteSpec
from factdeck.pipeline import Checked, build, expanded
from factdeck.practice import PRACTICE_TAG
from factdeck.practice.options import (
    Candidate,
    arrange,
    choose,
    comparable,
    conflict,
    normal,
    overlaps,
    same_form,
    variants,
)
from factdeck.preview.page import preview
from factdeck.release import release
from tests.support.decks import PRACTICE, deck_yaml, practice_deck, write_tree


@pytest.fixture
def deck(project: Path) -> Path:
    return practice_deck(project / "cards" / "practice")


@pytest.fixture
def checked(deck: Path) -> Checked:
    return expanded(deck)


def practice_notes(checked: Checked) -> dict[str, NoteSpec]:
    return {f"{n.fact_id}/{n.card_id}": n for n in checked.notes if PRACTICE_TAG in n.tags}


_OPTION = re.compile(
    r'<li class="fd-mcq-option( fd-mcq-correct| fd-mcq-wrong)?">'
    r'<span class="fd-mcq-letter">([A-D])\.</span> '
    r'<span class="fd-mcq-text">([^<]*)'
)


def options_of(note: NoteSpec) -> list[tuple[str, str, str]]:
    """(letter, text, mark) of each option on the back: mark is 'correct' or 'wrong'."""
    return [
        (letter, text, mark.strip().removeprefix("fd-mcq-"))
        for mark, letter, text in _OPTION.findall(note.fields[2])
    ]


# --- selection and validity, unit by unit ------------------------------------------------


def test_comparison_ignores_case_articles_punctuation_and_dash_styles() -> None:
    assert normal("The  L1-L3 (levels)") == normal("l1–l3 levels")
    assert overlaps("L1–L3", "L1–L3 and S1")
    assert overlaps("the superior cluneal nerves", "cluneal nerves")
    assert not overlaps("L1–L3", "L1–L4")  # whole words only
    assert overlaps("S1", "S1–S3")  # a dash separates words: S1 is part of S1–S3


def test_a_candidate_that_is_also_right_is_refused_with_why() -> None:
    accepted = ("L1–L3", "upper lumbar levels")
    assert conflict(accepted, Candidate("l1-l3")) == "'l1-l3' is the accepted answer 'L1–L3'"
    assert "overlaps" in (conflict(accepted, Candidate("L1–L3 and S1")) or "")
    assert conflict(accepted, Candidate("T1", synonyms=("upper lumbar levels",)))
    assert conflict(accepted, Candidate("S1–S3")) is None


def test_no_lone_long_option() -> None:
    assert comparable(["L1–L3", "S1–S3", "T10–T12", "C5–C7"])
    assert not comparable(
        ["the lower thoracic and upper lumbar segments", "S1–S3", "L4–L5", "C5–C7"]
    )
    assert comparable(
        [
            "the skin over the middle buttock",
            "the skin along the spine",
            "the superficial gluteal tissues",
            "the skin of the lower leg",
        ]
    )


def test_choice_is_stable_independent_of_order_and_avoids_a_lone_long_option() -> None:
    pool = [
        Candidate(t)
        for t in (
            "S1–S3",
            "T10–T12",
            "C5–C7",
            "L4–L5",
            "all of the lower thoracic and upper lumbar segments",
        )
    ]
    first = choose("seed", "L1–L3", pool)
    assert first == choose("seed", "L1–L3", list(reversed(pool)))
    assert first is not None and len(first) == 3
    assert all(len(c.text) < 10 for c in first)
    assert choose("seed", "L1–L3", pool[:2]) is None


def test_the_right_answer_moves_between_questions_but_not_between_builds() -> None:
    wrong = [Candidate("S1–S3"), Candidate("T10–T12"), Candidate("C5–C7")]
    places = {
        next(o.letter for o in arrange(f"guid{i}", "L1–L3", wrong) if o.correct) for i in range(40)
    }
    assert places == {"A", "B", "C", "D"}
    assert arrange("g", "L1–L3", wrong) == arrange("g", "L1–L3", wrong)
    shown = arrange("g", "L1–L3", wrong)
    assert [o.letter for o in shown] == ["A", "B", "C", "D"]
    assert sum(o.correct for o in shown) == 1


def test_a_leading_article_only_when_every_option_has_one() -> None:
    assert same_form(["The alpha nerves", "beta nerves"]) == ["alpha nerves", "beta nerves"]
    assert same_form(["the skin", "the fascia"]) == ["the skin", "the fascia"]


def test_a_bracketed_part_only_when_another_option_has_one() -> None:
    assert same_form(["the posterior femoral cutaneous nerve (PFCN)", "the sciatic nerve"]) == [
        "the posterior femoral cutaneous nerve",
        "the sciatic nerve",
    ]
    both = ["dorsal (posterior) rami", "ventral (anterior) rami", "cluneal nerves"]
    assert same_form(both) == both


# --- generated from a deck ---------------------------------------------------------------


def test_each_fact_with_enough_siblings_gets_one_question_in_the_practice_subdeck(
    checked: Checked,
) -> None:
    notes = practice_notes(checked)
    assert set(notes) == {
        f"{f}/practice/levels"
        for f in ("alpha", "beta", "gamma", "delta", "first-again", "zeta", "theta", "iota")
    } | {"case-alpha/practice/case"}
    for note in notes.values():
        assert note.note_type == "mcq" and note.subdeck == PRACTICE_SUBDECK
        assert note.tags[-1] == PRACTICE_TAG
    assert checked.deck.spec.subdecks[PRACTICE_SUBDECK] == "Exam Practice"


def test_no_wrong_option_is_also_right(checked: Checked) -> None:
    alpha = options_of(practice_notes(checked)["alpha/practice/levels"])
    assert [mark for *_, mark in alpha].count("correct") == 1
    assert next(text for _, text, mark in alpha if mark == "correct") == "L1–L3"
    wrong = {text for _, text, mark in alpha if mark == "wrong"}
    assert len(wrong) == 3
    # not its synonym, not a value containing it, not the same nerve under its other name,
    # not the lone long option
    assert wrong.isdisjoint(
        {
            "Upper lumbar levels",
            "L1–L3 and S1",
            "T1–T2",
            "The lower thoracic and the upper lumbar segments of the cord",
        }
    )
    for key, note in practice_notes(checked).items():
        marks = [mark for *_, mark in options_of(note)]
        assert len(marks) == 4 and marks.count("correct") == 1, key


def test_each_wrong_option_says_what_it_belongs_to(checked: Checked) -> None:
    back = practice_notes(checked)["alpha/practice/levels"].fields[2]
    for level, owner in (
        ("L4–L5", "beta nerves"),
        ("S1–S3", "gamma nerves"),
        ("T10–T12", "delta nerves"),
        ("C5–C7", "epsilon nerves"),
        ("T6–T8", "iota nerves"),
    ):
        if f">{level}<" in back:
            assert f'{level}<span class="fd-mcq-why">: {owner}</span>' in back


def test_the_back_gives_the_reason_and_source_not_synonyms(checked: Checked) -> None:
    """The options are fixed: "Also accepted" would mean nothing on a multiple-choice back."""
    note = practice_notes(checked)["alpha/practice/levels"]
    fields = dict(
        zip(("Question", "Options", "Key", "Answer", "Extra", "Source"), note.fields, strict=True)
    )
    assert fields["Question"] == "Which spinal levels give rise to the alpha nerves (first nerves)?"
    assert "Alpha comes first." in fields["Extra"]
    assert "Also accepted" not in fields["Extra"]
    assert "A Source" in fields["Source"]
    assert re.fullmatch(r"[A-D]\. L1–L3", fields["Answer"])
    assert "fd-mcq-correct" not in fields["Options"] and "✓" not in fields["Options"]


def test_opted_out_or_short_of_options_is_reported_with_why(checked: Checked) -> None:
    why = {f"{s.fact_id}/{s.question}": s.reason for s in checked.skipped}
    assert why["epsilon/levels"] == "opted out (practice: false)"
    assert why["kappa/levels"] == "opted out (practice: false)"
    assert why["eta/levels"].startswith("no three wrong options of a length comparable")
    assert why["case-alpha-short/case"].startswith(
        "2 wrong options from look-alikes (3 distinct, 1 also right); need 3"
    )


def test_a_fact_s_own_distractors_are_used_in_order(checked: Checked) -> None:
    iota = options_of(practice_notes(checked)["iota/practice/levels"])
    assert [text for _, text, mark in iota if mark == "wrong"] == ["T1–T3", "T4–T5", "C1–C3"]


@pytest.mark.parametrize("letter", ["A", "B", "C", "D"])
def test_a_fact_pins_its_key(deck: Path, letter: str) -> None:
    path = deck / "facts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "levels: T10–T12}", f"levels: T10–T12, practice: {{levels: {letter}}}}}"
        ),
        encoding="utf-8",
    )
    note = practice_notes(expanded(deck))["delta/practice/levels"]
    assert [x for x, _, mark in options_of(note) if mark == "correct"] == [letter]


def test_own_distractors_say_what_they_belong_to(deck: Path) -> None:
    path = deck / "facts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[T1–T3, T4–T5, C1–C3]", "{T1–T3: the first nerves, T4–T5: the fifth nerves, C1–C3: x}"
        ),
        encoding="utf-8",
    )
    note = practice_notes(expanded(deck))["iota/practice/levels"]
    back = note.fields[2]
    assert [text for _, text, mark in options_of(note) if mark == "wrong"] == [
        "T1–T3",
        "T4–T5",
        "C1–C3",
    ]
    assert 'T4–T5<span class="fd-mcq-why">: the fifth nerves</span>' in back


def test_a_case_is_asked_with_its_look_alikes(checked: Checked) -> None:
    note = practice_notes(checked)["case-alpha/practice/case"]
    options = options_of(note)
    assert sorted(text for _, text, _ in options) == [
        "Alpha nerves",
        "Beta nerves",
        "Delta nerves",
        "Gamma nerves",
    ]  # article dropped
    # 'first nerves' is a look-alike, but also the alpha nerves' other name (aka): never wrong
    assert not any("First" in text for _, text, _ in options)
    assert "A client has pain after lifting." in note.fields[0]
    assert "Their levels match the pain." in note.fields[4]
    assert 'Beta nerves<span class="fd-mcq-why">: from L4–L5' in note.fields[2]  # its summary


def _only(deck: Path, case: str, practice: str = "only") -> None:
    """Give case `case` of the practice deck `practice: only` (or another `practice`)."""
    path = deck / "facts.yaml"
    text = re.sub(
        rf"- id: {case}\n( +)",
        rf"- id: {case}\n\1practice: {practice}\n\1",
        path.read_text("utf-8"),
    )
    path.write_text(text, encoding="utf-8")


def test_a_practice_only_fact_is_its_multiple_choice_question_and_no_other_card(
    deck: Path,
) -> None:
    _only(deck, "case-alpha")
    checked = expanded(deck)
    assert [n.card_id for n in checked.notes if n.fact_id == "case-alpha"] == ["practice/case"]
    assert [n.card_id for n in checked.notes if n.fact_id == "case-alpha-short"] == [
        "case"
    ]  # the other case keeps its recall card


@pytest.mark.parametrize("letter", ["A", "C"])
def test_a_practice_only_fact_places_its_key_in_the_mapping_form(deck: Path, letter: str) -> None:
    _only(deck, "case-alpha", f"{{only: true, case: {letter}}}")
    checked = expanded(deck)
    assert [n.card_id for n in checked.notes if n.fact_id == "case-alpha"] == ["practice/case"]
    note = practice_notes(checked)["case-alpha/practice/case"]
    assert [o[0] for o in options_of(note) if o[2] == "correct"] == [letter]


@pytest.mark.parametrize("value", ["C", "D"])
def test_only_that_is_not_true_or_false_is_refused(deck: Path, value: str) -> None:
    """`{only: C}` was read as 'not only': the fact got its recall card back, silently."""
    _only(deck, "case-alpha", f"{{only: {value}, case: C}}")
    result = CliRunner().invoke(main, ["check", str(deck)])

    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert re.fullmatch(
        rf"Error: \S*facts\.yaml:\d+: fact 'case-alpha': field 'practice': 'only: {value}' "
        r"takes true or false \(true: asked as multiple choice only\); a question's key goes "
        rf"under that question's id: \{{only: true, <question>: {value}\}}\n",
        result.stderr,
    ), result.stderr


def test_a_practice_only_fact_without_its_question_is_refused(deck: Path) -> None:
    _only(deck, "case-alpha-short")  # two valid look-alikes: its question is not made
    with pytest.raises(FactdeckError) as caught:
        expanded(deck)
    assert re.search(
        r"facts\.yaml:\d+: fact 'case-alpha-short' sets practice: only, but no "
        r"multiple-choice question of it was made \(case: ",
        str(caught.value),
    )
    write_tree(deck, {"deck.yaml": deck_yaml(base=PRACTICE)})
    with pytest.raises(FactdeckError, match=r"sets practice: only, but deck\.yaml does not set"):
        expanded(deck)


@pytest.mark.parametrize(
    ("distractors", "message"),
    [
        ("[T6-T8, T4–T5, C1–C3]", "'T6-T8' is the accepted answer 'T6–T8'; remove it"),
        ("[T1–T3, T4–T5]", "2 given, 3 needed"),
        ("[T1–T3, T4–T5, T4–T5, C1–C3]", "the same option is given twice"),
        ("[T1–T3, T4–T5, All of the above]", "'All of the above' points at the other options"),
        (
            "[T1–T3, T4–T5, the whole thoracic and lumbar spine from top to bottom]",
            "one option is much longer than the others",
        ),
    ],
)
def test_bad_own_distractors_stop_the_build_with_file_and_line(
    deck: Path, distractors: str, message: str
) -> None:
    path = deck / "facts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[T1–T3, T4–T5, C1–C3]", distractors),
        encoding="utf-8",
    )
    with pytest.raises(FactdeckError) as caught:
        expanded(deck)
    assert re.search(r"facts\.yaml:\d+: fact 'iota': distractors for 'levels': ", str(caught.value))
    assert message in str(caught.value)


def test_unknown_practice_keys_are_errors(deck: Path) -> None:
    path = deck / "facts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "practice: {levels: false}", "practice: {level: false}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        FactdeckError,
        match="no practice question 'level' for a nerve; its questions are: levels, origin",
    ):
        expanded(deck)


def test_practice_off_makes_none(deck: Path) -> None:
    write_tree(deck, {"deck.yaml": deck_yaml(base=PRACTICE)})
    checked = expanded(deck)
    assert not practice_notes(checked) and not checked.skipped
    assert PRACTICE_SUBDECK not in checked.deck.spec.subdecks


def test_same_questions_whatever_the_file_order(deck: Path, project: Path) -> None:
    first = practice_notes(expanded(deck))
    data = yaml.safe_load((deck / "facts.yaml").read_text(encoding="utf-8"))
    data["facts"].reverse()
    other = write_tree(
        project / "cards" / "reordered",
        {
            "deck.yaml": (deck / "deck.yaml").read_text(encoding="utf-8"),
            "facts.yaml": yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
        },
    )
    again = practice_notes(expanded(other))
    assert {k: n.fields for k, n in again.items()} == {k: n.fields for k, n in first.items()}


def test_rebuilding_twice_gives_the_same_questions_and_bytes(deck: Path, project: Path) -> None:
    out = project / "dist"
    first = build(deck, out)
    data = first.apkg.read_bytes()
    lock = (deck / "factdeck.lock").read_text(encoding="utf-8")
    again = build(deck, out)
    assert again.apkg.read_bytes() == data
    assert (deck / "factdeck.lock").read_text(encoding="utf-8") == lock
    assert again.changes == first.changes  # nothing since the first build (never released)
    assert '"practice/levels"' in lock or "practice/levels" in lock


def test_release_notes_list_practice_questions(deck: Path, project: Path) -> None:
    notes = release(deck, project / "dist").notes.read_text(encoding="utf-8")
    students, instructors = notes.split("## For instructors")
    assert "Which spinal levels give rise to the alpha" in students
    assert "`alpha/practice/levels` mcq, note id" in instructors
    assert "factdeck Multiple Choice (mcq)" in instructors


def test_stats_count_questions_and_say_which_were_not_made(
    deck: Path, project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["stats", str(deck)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  practice: 9 multiple-choice questions, 4 not made" in out
    assert (
        "    not made: epsilon/levels (cards/practice/facts.yaml:10): opted out (practice: false)"
    ) in out
    assert "Exam Practice" in out and "factdeck Multiple Choice" in out


def test_preview_shows_practice_cards(deck: Path, project: Path) -> None:
    result = preview(deck, project / "out")
    page = result.index.read_text(encoding="utf-8")
    assert "factdeck Multiple Choice" in page and "fd-mcq-correct" in page
    assert "Exam Practice" in page


def test_practice_sections_are_checked(project: Path, deck: Path) -> None:
    templates = project / "templates"
    shutil.copy(templates / "kinds" / "nerve.yaml", project / "nerve.yaml.bak")
    path = templates / "kinds" / "nerve.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("answer: levels", "answer: level"),
        encoding="utf-8",
    )
    with pytest.raises(
        FactdeckError,
        match=r"nerve.yaml:\d+: practice question 'levels': a "
        r"nerve has no field 'level' \(did you mean "
        r"'levels'\?\)",
    ):
        expanded(deck)


def test_same_limits_wrong_options_to_facts_alike_in_a_field(deck: Path, project: Path) -> None:
    path = project / "templates" / "kinds" / "nerve.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "      answer: levels\n", "      answer: levels\n      same: [group]\n", 1
        ),
        encoding="utf-8",
    )
    facts = deck / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    for name in ("alpha", "beta", "gamma", "delta"):
        text = text.replace(f"name: {name} nerves,", f"name: {name} nerves, group: greek,")
    facts.write_text(text, encoding="utf-8")
    notes = practice_notes(expanded(deck))
    alpha = options_of(notes["alpha/practice/levels"])
    assert sorted(t for _, t, _ in alpha) == ["L1–L3", "L4–L5", "S1–S3", "T10–T12"]
    zeta = {t for _, t, mark in options_of(notes["zeta/practice/levels"]) if mark == "wrong"}
    assert zeta.isdisjoint({"L4–L5", "S1–S3", "T10–T12"})  # no group: only group-less facts


def test_bracketed_alternates_are_synonyms() -> None:
    assert variants("medial (middle) cluneal nerves") == (
        "medial (middle) cluneal nerves",
        "medial cluneal nerves",
        "middle cluneal nerves",
    )
    answer = ("The medial (middle) cluneal nerves",)
    assert conflict(answer, Candidate("medial cluneal nerves"))
    assert conflict(answer, Candidate("the middle cluneal nerves"))
    assert conflict(answer, Candidate("superior cluneal nerves")) is None


def test_a_case_s_wrong_options_are_of_the_answer_s_kind(deck: Path) -> None:
    facts = deck / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "look_alikes: [beta, gamma, first-again]",
            "look_alikes: [beta, gamma, delta-ligament, first-again]",
        )
        + "  - {id: delta-ligament, kind: structure, name: delta ligament, is_a: dense tissue}\n",
        encoding="utf-8",
    )
    checked = expanded(deck)
    why = {f"{s.fact_id}/{s.question}": s.reason for s in checked.skipped}
    assert why["case-alpha-short/case"].endswith(
        "(look-alikes left out, without a name or not a nerve like the answer: delta ligament)"
    )
    assert "case-alpha-short/practice/case" not in practice_notes(checked)


def test_switching_practice_off_retires_its_notes(deck: Path, project: Path) -> None:
    release(deck, project / "dist")
    path = deck / "deck.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("practice: true", "practice: false"),
        encoding="utf-8",
    )
    result = build(deck, project / "dist")
    retired = {f"{d.after.fact}/{d.after.card}" for d in result.changes.retired}
    assert len(retired) == 9 and "alpha/practice/levels" in retired
    assert not result.changes.added and not result.changes.changed
