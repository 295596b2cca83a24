"""Read one student's export (.apkg or .colpkg, with scheduling) through the official Anki
engine, as plain rows. The one module that opens a student's file.

Both kinds of file are collection packages, so both are restored into a fresh collection in
a scratch folder with the engine's own importer (what Anki does when it restores a
backup): the scheduling is read exactly as the student's Anki kept it, and nothing of the
export stays on disk. The scratch folder is in the output folder (git-ignored, deleted
however the read ends), not the system's temporary folder, which is outside the project. Only what the analysis counts leaves this module: per card its GUID,
card number and counters, per answer its rating, kind, day and time taken. No deck name,
note text, card id or anything else of the student's is kept.
"""

from __future__ import annotations

import json
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factdeck.errors import FactdeckError, Location
from factdeck.fs import atomic, oserrors
from factdeck.fs.read import file_kind

if TYPE_CHECKING:
    from anki.collection import Collection

SUFFIXES = (".apkg", ".colpkg")
MAX_UNPACKED = 2 << 30  # 2 GiB: a class's exports are megabytes; more is a zip bomb
LEARN, REVIEW, RELEARN, FILTERED = 0, 1, 2, 3  # revlog types that are answers (4, 5: manual)
AGAIN = 1


@dataclass(frozen=True, slots=True)
class Answer:
    ease: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    kind: int  # LEARN, REVIEW, RELEARN, FILTERED
    day: int  # days since the epoch (UTC) of the answer
    seconds: float  # time the student took


@dataclass(frozen=True, slots=True)
class StudentCard:
    guid: str
    ord: int
    lapses: int
    leech: bool  # tagged leech, or as many lapses as its preset's leech threshold
    difficulty: float | None  # FSRS difficulty (1-10) when the student uses FSRS
    answers: tuple[Answer, ...]
    deck: int  # an index into Export.decks, not the student's deck id


@dataclass(frozen=True, slots=True)
class Export:
    cards: tuple[StudentCard, ...]
    decks: int  # how many decks held these cards (foreign ones are counted, not named)


def read(path: Path, out_dir: Path) -> Export:
    """One export's cards, restored in a scratch folder in `out_dir`; a file that is not an
    Anki export is refused with the reason."""
    if path.suffix.lower() not in SUFFIXES:
        raise FactdeckError.at(
            Location(path),
            "not an Anki export: name a .apkg (Export → Anki Deck Package, with 'Include "
            "scheduling information') or a .colpkg (Anki Collection Package)",
        )
    _check_file(path)
    _check_zip(path)
    from anki._backend import RustBackend
    from anki.collection import Collection
    from anki.errors import BackendError, DBError

    with (
        oserrors.reported(kept="nothing was written"),
        atomic.scratch_folder(out_dir, "analyze") as tmp,
    ):
        col_path = Path(tmp) / "collection.anki2"
        try:
            RustBackend().import_collection_package(
                col_path=str(col_path),
                backup_path=str(path),
                media_folder=str(Path(tmp) / "media"),
                media_db=str(Path(tmp) / "media.db"),
            )
            col = Collection(str(col_path))
        except (BackendError, DBError) as exc:
            raise FactdeckError.at(
                Location(path), f"not a readable Anki export ({_reason(exc)}); export it again"
            ) from None
        try:
            return _rows(col)
        finally:
            col.close()


def _check_file(path: Path) -> None:
    """Refuse what is not a regular file before it is opened: reading a named pipe waits
    for a writer forever, a device never ends."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise FactdeckError.at(Location(path), f"cannot read it ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise FactdeckError.at(
            Location(path),
            f"not an Anki export: it is {file_kind(mode)}, not a regular file; name "
            "the exported file itself",
        )


def _check_zip(path: Path) -> None:
    """Refuse what is not a whole zip holding a collection before the engine sees it:
    another file, one cut short, a damaged part (zip checksums), a zip bomb."""
    damaged = "the export is damaged"
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
            if unpacked > MAX_UNPACKED:
                raise FactdeckError.at(
                    Location(path),
                    f"unpacks to {unpacked >> 20} MB, more than an export holds; refused",
                )
            try:
                bad = archive.testzip()
                part = None if bad is None else f"its part '{bad}'"
            except (zipfile.BadZipFile, EOFError, zlib.error):
                part = "a part"
            if part is not None:
                raise FactdeckError.at(
                    Location(path), f"{damaged} ({part} fails its check); export it again"
                )
    except zipfile.BadZipFile:
        raise FactdeckError.at(
            Location(path),
            "not an Anki export: not a zip file (another file, or one cut short)",
        ) from None
    except OSError as exc:
        raise FactdeckError.at(Location(path), f"cannot read it ({exc.strerror})") from None
    if not names & {"collection.anki21b", "collection.anki21", "collection.anki2"}:
        raise FactdeckError.at(Location(path), "not an Anki export: it holds no collection")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _rows(col: Collection) -> Export:
    db = col.db
    assert db is not None  # an open collection
    answers: dict[int, list[Answer]] = {}
    for cid, ms, ease, kind, taken in db.all(
        "select cid, id, ease, type, time from revlog where ease between 1 and 4 and type <= 3"
    ):
        answers.setdefault(cid, []).append(Answer(ease, kind, ms // 86_400_000, taken / 1000))
    thresholds: dict[int, int] = {}
    decks: dict[int, int] = {}
    cards = []
    for cid, guid, ord_, lapses, tags, data, did, odid in db.all(
        "select c.id, n.guid, c.ord, c.lapses, n.tags, c.data, c.did, c.odid "
        "from cards c join notes n on n.id = c.nid order by n.guid, c.ord"
    ):
        home = odid or did
        if home not in thresholds:
            config = col.decks.config_dict_for_deck_id(home)
            thresholds[home] = int(config.get("lapse", {}).get("leechFails", 8)) or 8
        cards.append(
            StudentCard(
                guid=guid,
                ord=ord_,
                lapses=lapses,
                leech=lapses >= thresholds[home] or "leech" in tags.lower().split(),
                difficulty=_difficulty(data),
                answers=tuple(answers.get(cid, ())),
                deck=decks.setdefault(home, len(decks)),
            )
        )
    return Export(cards=tuple(cards), decks=len(decks))


def _difficulty(data: str) -> float | None:
    try:
        value = json.loads(data or "{}").get("d")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) and 1 <= value <= 10 else None
