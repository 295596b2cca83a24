"""What changed between two versions of a deck, as release notes.

Both sides are Snapshots: the build compares the lock before and after; `factdeck diff`
compares two .apkg files. One comparison, one report format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from factdeck.apkg.read import Unpacked
from factdeck.render.html import plain

RETIRED_TAG = "factdeck::retired"
# Merging stamps the student's notes with the import time, so "if newer" would then skip
# this release's edits: after a merge, only "Always" applies them (checked in the tests).
MERGE_ADVICE = (
    "“Merge note types” ticked and “Update notes” set to “Always” in Anki's "
    "import dialog (Anki 23.10 or newer)"
)


@dataclass(frozen=True, slots=True)
class NoteState:
    guid: str
    label: str
    note_type: str
    field_names: tuple[str, ...]
    texts: tuple[str, ...]
    digests: tuple[str, ...]
    tags: tuple[str, ...]
    retired: bool


@dataclass(frozen=True, slots=True)
class NoteTypeState:
    id: str
    name: str
    fields: tuple[str, ...]
    cards: tuple[str, ...]
    digest: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    notes: Mapping[str, NoteState]
    note_types: Mapping[str, NoteTypeState]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class NoteChange:
    before: NoteState
    after: NoteState
    fields: tuple[FieldChange, ...]
    tags_changed: bool


@dataclass(frozen=True, slots=True)
class NoteTypeChange:
    before: NoteTypeState | None
    after: NoteTypeState

    @property
    def schema_changed(self) -> bool:
        return self.before is not None and (
            (self.before.fields, self.before.cards) != (self.after.fields, self.after.cards)
        )


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[NoteState, ...]
    changed: tuple[NoteChange, ...]
    retired: tuple[NoteState, ...]
    note_types: tuple[NoteTypeChange, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.note_types)


def compare(old: Snapshot, new: Snapshot) -> Changes:
    added, changed, retired = [], [], []
    unchanged = 0
    for guid, after in new.notes.items():
        before = old.notes.get(guid)
        if after.retired:
            if before is not None and not before.retired:
                retired.append(before)
        elif before is None or before.retired:
            added.append(after)
        elif (before.digests, before.tags) != (after.digests, after.tags):
            changed.append(_note_change(before, after))
        else:
            unchanged += 1
    retired.extend(
        before for guid, before in old.notes.items() if guid not in new.notes and not before.retired
    )
    types = tuple(
        NoteTypeChange(old.note_types.get(key), after)
        for key, after in sorted(new.note_types.items())
        if key not in old.note_types or old.note_types[key].digest != after.digest
    )
    return Changes(tuple(added), tuple(changed), tuple(retired), types, unchanged)


def _note_change(before: NoteState, after: NoteState) -> NoteChange:
    old_fields = dict(
        zip(before.field_names, zip(before.digests, before.texts, strict=True), strict=True)
    )
    fields = []
    for name, digest, text in zip(after.field_names, after.digests, after.texts, strict=True):
        old_digest, old_text = old_fields.get(name, ("", ""))
        if old_digest != digest:
            fields.append(FieldChange(name, old_text, text))
    return NoteChange(before, after, tuple(fields), before.tags != after.tags)


def release_notes(changes: Changes, title: str) -> str:
    """Markdown an instructor can paste into an announcement to students."""
    lines = [f"# {title}", ""]
    if changes.empty:
        return "\n".join([*lines, "No changes.", ""])
    lines += [
        f"{len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.retired)} retired, {changes.unchanged} unchanged notes.",
        "",
    ]
    if changes.added:
        lines += ["## Added", "", *(f"- {_describe(n)}" for n in changes.added), ""]
    if changes.changed:
        lines += ["## Changed", ""]
        for change in changes.changed:
            lines.append(f"- {_describe(change.after)}")
            lines += [f"  - {f.field}: “{f.before}” → “{f.after}”" for f in change.fields]
            if change.tags_changed:
                lines.append(f"  - tags: {' '.join(change.after.tags) or '(none)'}")
        lines.append("")
    if changes.retired:
        lines += [
            "## Retired",
            "",
            "These notes are no longer part of the deck. After importing, find them in "
            f"Anki's browser with the search `tag:{RETIRED_TAG}` and delete them.",
            "",
            *(f"- {_describe(n)}" for n in changes.retired),
            "",
        ]
    if changes.note_types:
        lines += ["## Note types", ""]
        for type_change in changes.note_types:
            lines.append(f"- {_describe_type(type_change)}")
        lines.append("")
    return "\n".join(lines)


def _describe(note: NoteState) -> str:
    text = next((t for t in note.texts if t), "")
    return f"`{note.label}` {text}" if note.label else text


def _describe_type(change: NoteTypeChange) -> str:
    after = change.after
    if change.before is None:
        return f"“{after.name}”: new note type"
    if change.schema_changed:
        return (
            f"“{after.name}”: fields or card types changed ({', '.join(change.before.fields)}"
            f" → {', '.join(after.fields)}). Students must import with {MERGE_ADVICE}; "
            "otherwise Anki adds a second copy of the note type and skips its notes as "
            "conflicting."
        )
    return f"“{after.name}”: card layout or style changed (updates in place on import)"


def snapshot(unpacked: Unpacked) -> Snapshot:
    """The package as release notes see it (notes have no fact ids here, only their text)."""
    types = {mid: _note_type_state(mid, model) for mid, model in unpacked.models.items()}
    notes = {}
    for note in unpacked.notes:
        note_type = types[note.model_id]
        notes[note.guid] = NoteState(
            guid=note.guid,
            label="",
            note_type=note_type.name,
            field_names=note_type.fields,
            texts=tuple(plain(f) for f in note.fields),
            digests=tuple(_digest(f) for f in note.fields),
            tags=tuple(t for t in note.tags if t != RETIRED_TAG),
            retired=RETIRED_TAG in note.tags,
        )
    used = {n.model_id for n in unpacked.notes}
    return Snapshot(notes=notes, note_types={str(m): t for m, t in types.items() if m in used})


def _note_type_state(model_id: int, model: dict[str, Any]) -> NoteTypeState:
    fields = tuple(f["name"] for f in model["flds"])
    cards = tuple(t["name"] for t in model["tmpls"])
    layout = json.dumps([[t["qfmt"], t["afmt"]] for t in model["tmpls"]] + [model.get("css")])
    return NoteTypeState(
        id=str(model_id),
        name=model["name"],
        fields=fields,
        cards=cards,
        digest=_digest(json.dumps([fields, cards]) + layout),
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
