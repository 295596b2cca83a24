"""A student's collection in any engine version: `python engine_probe.py FOLDER A.apkg B.apkg`.

Run by another venv's Python (an older PyPI `anki`), so it imports nothing of factdeck or
the tests. It imports each package in turn with Anki's default options, reviews every card
after the first import (Good), renders every card after each import, and prints one JSON
object: the engine's version, each import's log counts, the review count, the cards that
render blank or with an error (Anki's own messages, each with its note's first field), the
cards each import created, whether every reviewed card kept its scheduling and review log,
Empty Cards' list, the cards that show the notice of a taken-out item, where the cards are
(per deck, suspended, of notes tagged retired), each factdeck note type's CSS and templates;
and the same once more after Check Database (`col.fix_integrity()`). Two words may stand
between the packages: `check` runs Check Database there, as a student may between imports;
`always:B.apkg` imports B with "Update note types: Always" (the import dialog's option).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from anki.buildinfo import version as engine_version
from anki.collection import Collection
from anki.import_export_pb2 import (  # 23.10's anki.collection does not re-export these
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportAnkiPackageUpdateCondition,
)

_ERROR = re.compile(
    r"No cloze .* found on card|Please either add a cloze|front of this card is blank|"
    r"template has a problem|Found '\{\{",
    re.DOTALL,
)
_TAG = re.compile(r"<style>.*?</style>|<[^>]*>", re.DOTALL)
# a card whose item or mask was taken out: its cloze renders empty and the note type's CSS
# shows the notice there (factdeck's history/removed_cards.py)
_REMOVED = re.compile(r':empty(?: \+ #err)?::after \{\s*content: "([^"]*)"')
_EMPTY_CLOZE = re.compile(r'<div class="fd-cloze"></div>|<div style="display: none"></div>')


def _shown(html: str) -> str:
    """What the card shows as text, its CSS notice included."""
    text = _TAG.sub("", html).strip()
    notice = _REMOVED.search(html) if _EMPTY_CLOZE.search(html) else None
    return f"{text} {notice[1]}".strip() if notice else text


def _import(col: Collection, apkg: str, always: bool = False) -> dict[str, int]:
    conditions = ImportAnkiPackageUpdateCondition
    if_newer = conditions.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=if_newer,
        update_notetypes=conditions.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
        if always
        else if_newer,
    )  # with_scheduling and with_deck_configs default to off (the second is not in 23.10)
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=apkg, options=options)).log
    return {
        "new": len(log.new),
        "updated": len(log.updated),
        "duplicate": len(log.duplicate),
        "conflicting": len(log.conflicting),
    }


def _bad_cards(col: Collection) -> list[dict[str, object]]:
    bad = []
    for card_id in sorted(col.find_cards("")):
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        shown = _shown(question)
        if not shown or _ERROR.search(question) or _ERROR.search(answer):
            note = card.note()
            bad.append(
                {"ord": card.ord, "guid": note.guid, "field": note.fields[0][:80], "shown": shown}
            )
    return bad


def _schedules(col: Collection) -> dict[int, list[object]]:
    """Each card's scheduling and review log: what an import must never change."""
    return {
        card_id: [
            card.type,
            card.due,
            card.ivl,
            card.reps,
            col.db.list("select id from revlog where cid = ? order by id", card_id),
        ]
        for card_id in col.find_cards("")
        for card in (col.get_card(card_id),)
    }


RETIRED = "factdeck::retired"
NOTICE = "This card was removed from"


def _where(col: Collection) -> dict[str, object]:
    """Where the cards are: per deck, suspended, of notes tagged retired (and how many of
    those show the retirement notice on their back)."""
    decks: dict[str, int] = {}
    for card_id in col.find_cards(""):
        name = col.decks.name(col.get_card(card_id).did)
        decks[name] = decks.get(name, 0) + 1
    retired = col.find_cards(f"tag:{RETIRED}")
    return {
        "decks": decks,
        "suspended": len(col.find_cards("is:suspended")),
        "retired": len(retired),
        "notices": sum(NOTICE in col.get_card(c).answer() for c in retired),
    }


def _note_types(col: Collection) -> dict[str, dict[str, object]]:
    """factdeck's note types as the collection holds them: what a newer package must reach.
    The import runs in the backend and leaves the Python side's note-type cache as it was, so
    the cache goes first (read through it, every update looks skipped)."""
    col.models._clear_cache()
    return {
        model["name"]: {
            "css": model["css"],
            "templates": [[t["qfmt"], t["afmt"]] for t in model["tmpls"]],
        }
        for model in col.models.all()
        if model["name"].startswith("factdeck ")
    }


def _step(col: Collection, log: dict[str, int], reviewed: dict[int, list[object]]) -> dict:
    now = _schedules(col)
    return {
        **_where(col),
        "note_types": _note_types(col),
        "log": log,
        "cards": len(now),
        "notes": col.note_count(),
        "bad": _bad_cards(col),
        "fields": {col.get_note(n).guid: col.get_note(n).fields[0] for n in col.find_notes("")},
        "new_cards": [c for c in now if c not in reviewed],  # created by this import
        "history_kept": all(now.get(c) == s for c, s in reviewed.items()),
        "empty_cards": [list(n.card_ids) for n in col.get_empty_cards().notes],
        "removed_notices": sorted(  # cards that show the taken-out notice
            card_id
            for card_id in now
            for question in (col.get_card(card_id).question(),)
            if _EMPTY_CLOZE.search(question) and _REMOVED.search(question)
        ),
    }


def main(folder: str, *packages: str) -> None:
    Path(folder).mkdir(parents=True, exist_ok=True)
    col = Collection(str(Path(folder) / "collection.anki2"))
    try:
        steps = []
        reviewed: dict[int, list[object]] = {}
        for apkg in packages:
            if apkg == "check":
                col.fix_integrity()
                continue
            log = _import(col, apkg.removeprefix("always:"), always=apkg.startswith("always:"))
            if not steps:
                for card_id in col.find_cards(""):
                    card = col.get_card(card_id)
                    card.start_timer()
                    col.sched.answerCard(card, 3)
                reviewed = _schedules(col)
            steps.append(_step(col, log, reviewed))
        col.fix_integrity()  # Tools → Check Database, which students run when in doubt
        checked = _step(col, {}, reviewed)
        reviews = col.db.scalar("select count() from revlog")
        print(
            json.dumps(
                {
                    "version": engine_version,
                    "steps": steps,
                    "reviews": reviews,
                    "checked": checked,
                }
            )
        )
    finally:
        col.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
