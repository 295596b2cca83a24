"""The official Anki engine (PyPI `anki`) as tests use it: import a package, render its cards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int


@dataclass(frozen=True)
class RenderedCard:
    card_id: int
    note_id: int
    deck: str
    tags: tuple[str, ...]
    note_type: str
    question: str
    answer: str


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(
    col: Collection,
    apkg: Path,
    *,
    merge_notetypes: bool = False,
    with_scheduling: bool = False,
    always_update_notes: bool = False,
) -> ImportLog:
    """Import with Anki's default options (update notes and note types if newer)."""
    conditions = ImportAnkiPackageUpdateCondition
    options = ImportAnkiPackageOptions(
        merge_notetypes=merge_notetypes,
        update_notes=(
            conditions.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
            if always_update_notes
            else conditions.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        ),
        update_notetypes=(
            ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        ),
        with_scheduling=with_scheduling,
        with_deck_configs=False,
    )
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=options)
    log = col.import_anki_package(request).log
    return ImportLog(
        new=len(log.new),
        updated=len(log.updated),
        duplicate=len(log.duplicate),
        conflicting=len(log.conflicting),
        first_field_match=len(log.first_field_match),
    )


def render_all(col: Collection) -> list[RenderedCard]:
    cards = []
    for card_id in sorted(col.find_cards("")):
        card = col.get_card(card_id)
        note = card.note()
        cards.append(
            RenderedCard(
                card_id=card_id,
                note_id=note.id,
                deck=col.decks.name(card.did),
                tags=tuple(note.tags),
                note_type=note.note_type()["name"],
                question=card.question(),
                answer=card.answer(),
            )
        )
    return cards


def shown_text(html: str) -> str:
    """A rendered card's words, without its markup and CSS, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)).strip()


def imported_cards(apkg: Path, folder: Path) -> list[RenderedCard]:
    """Every card of `apkg` as Anki renders it, imported into a new collection in `folder`."""
    col = open_collection(folder)
    try:
        import_package(col, apkg)
        return render_all(col)
    finally:
        col.close()
