"""`factdeck new COURSE` outside any project: a course repository of the instructor's own,
with factdeck installed from a package rather than a fork of factdeck's repository. It
holds the first deck (as `new cards/DECK` makes it), the lock's merge rule, what git must
not track, a README for students and instructors, and a GitHub Actions workflow that checks
every push and attaches the recorded release to a GitHub release on its version tag.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from factdeck import installed_origin, installed_version
from factdeck.authoring.article import slugify
from factdeck.authoring.scaffold import Scaffold, check_target, new_deck
from factdeck.errors import FactdeckError, Location
from factdeck.fs import atomic
from factdeck.fs.names import CACHE_DIR, JOURNAL, LOCK_NAME, MUTEX_FILE, RECORD_NAME

WORKFLOW = ".github/workflows/deck.yml"
REQUIREMENTS = "requirements.txt"
RELEASE_DIR = "release"  # where CI writes the tagged release's files (never committed)


@dataclass(frozen=True, slots=True)
class Course:
    root: Path
    files: tuple[Path, ...]  # the course's own files; the deck's are in `deck`
    deck: Scaffold
    unreachable: str | None = None  # where this factdeck came from, if no clone can get it


@dataclass(frozen=True, slots=True)
class Requirement:
    line: str  # requirements.txt's line for this factdeck
    unreachable: str | None  # the local path it was installed from, which no clone can use


def requirement(version: str | None, origin: dict[str, object] | None) -> Requirement:
    """The pip requirement that installs this factdeck elsewhere (pure): `factdeck==V` from
    an index, the git URL and commit or the web address it came from. A local wheel or
    folder (`file:`) is nowhere a clone or CI can reach: pinned by version, and said so."""
    url = str(origin.get("url", "")) if origin else ""
    vcs = origin.get("vcs_info") if origin else None
    pinned = f"factdeck=={version}" if version else "factdeck"
    if not url:
        return Requirement(pinned, None)
    if url.startswith("file:"):
        return Requirement(pinned, url.removeprefix("file://"))
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id")
        return Requirement(f"factdeck @ git+{url}" + (f"@{commit}" if commit else ""), None)
    return Requirement(f"factdeck @ {url}", None)


def new_course(root: Path, deck_name: str | None, article: Path | None) -> Course:
    """Write a course repository into `root` (missing or empty) with its first deck."""
    check_target(root, example="my-course")
    deck = slugify(deck_name or root.resolve().name, limit=60)
    if deck == "section":  # slugify's stand-in: the name had no letters or digits
        raise FactdeckError.at(
            Location(root), "give the deck a name of letters or digits, e.g. --deck knee"
        )
    pin = requirement(installed_version(), installed_origin())
    files = render(root.resolve().name, deck, pin)
    with atomic.new_folder(root) as folder:  # all of it, or nothing (a bad article)
        atomic.write_files(folder, files)
        (folder / "cards").mkdir()
        made = new_deck(folder / "cards" / deck, article)

    def moved(path: Path) -> Path:
        return root / path.relative_to(folder)

    made = dataclasses.replace(
        made, deck_dir=moved(made.deck_dir), files=tuple(moved(p) for p in made.files)
    )
    return Course(root, tuple(root / name for name in files), made, pin.unreachable)


def committed_wheel(installed_from: str) -> str:
    """The line that installs the wheel `installed_from` once it is copied into the course."""
    name = Path(installed_from).name
    return f"./{name}" if name.endswith(".whl") else "./factdeck-VERSION-py3-none-any.whl"


def render(folder_name: str, deck: str, pin: Requirement) -> dict[str, str]:
    """File name -> text of the course's own files (pure: nothing is written)."""
    title = folder_name.replace("-", " ").replace("_", " ").strip().title() or "My Course"
    return {
        "README.md": _README.format(title=title, deck=deck),
        ".gitignore": _GITIGNORE,
        ".gitattributes": _GITATTRIBUTES,
        REQUIREMENTS: _REQUIREMENTS
        + (
            _UNREACHABLE.format(path=pin.unreachable, wheel=committed_wheel(pin.unreachable))
            if pin.unreachable
            else ""
        )
        + f"{pin.line}\n",
        WORKFLOW: _WORKFLOW,
    }


_GITATTRIBUTES = f"""\
# The lock and the release record: one JSON entry per line; a union merge keeps both
# branches' lines and factdeck reconciles an entry both changed, so a merge never stops there.
{LOCK_NAME} merge=union
{RECORD_NAME} merge=union
"""

_GITIGNORE = f"""\
# What factdeck writes and git must not track: packages and previews (dist/), the tagged
# release's files in CI ({RELEASE_DIR}/), the build cache, the build mutex, an interrupted
# build's journal and temporaries. The lock (cards/*/{LOCK_NAME}) and the release record ({RECORD_NAME}) ARE committed.
/dist/
/{RELEASE_DIR}/
{CACHE_DIR}/
{MUTEX_FILE}
{JOURNAL}
.factdeck*.tmp
.*.apkg.*.tmp
.*.md.*.tmp
/.venv/
"""

_REQUIREMENTS = """\
# The factdeck this course builds with, for you and for CI (.github/workflows/deck.yml).
# Upgrade it on purpose: a newer factdeck may lay cards out differently, which `build`
# reports; a release must be made again by the factdeck that CI installs. Any pip
# requirement that a clone can reach works: a wheel committed here by its path
# (./factdeck-VERSION-py3-none-any.whl), a wheel's web address, `factdeck @ git+https://...`.
"""

_UNREACHABLE = """\
# FIX BEFORE PUSHING: this factdeck was installed from {path}, which a clone of this
# course and its CI cannot reach (factdeck is not on PyPI): replace the line below with
# `factdeck @ git+https://...@COMMIT`, a wheel's web address, or the wheel committed
# here by its path ({wheel}).
"""

_WORKFLOW = f"""\
# Written by `factdeck new`. On every push: check and lint the decks. On a version tag
# (git tag -a v1.1.0 -m v1.1.0, after `factdeck release` and committing the lock): write that release's
# package and notes again from the committed files, checked against the digest the lock
# recorded, and attach them to a GitHub release. Edit freely.
name: deck
on: [push, pull_request]
permissions:
  contents: write  # creating the GitHub release on a tag
jobs:
  deck:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install factdeck
        run: python -m pip install -r {REQUIREMENTS}
      - name: Check
        run: factdeck check
      - name: Lint
        run: factdeck lint
      - name: Write the release again
        if: startsWith(github.ref, 'refs/tags/v')
        run: factdeck release --again --out {RELEASE_DIR}
      - name: Attach it to a GitHub release
        if: startsWith(github.ref, 'refs/tags/v')
        env:
          GH_TOKEN: ${{{{ github.token }}}}
        run: |
          cat {RELEASE_DIR}/*.md > "$RUNNER_TEMP/notes.md"
          gh release create "$GITHUB_REF_NAME" {RELEASE_DIR}/*.apkg {RELEASE_DIR}/*.md \\
            --title "$GITHUB_REF_NAME" --notes-file "$RUNNER_TEMP/notes.md"
"""

_README = """\
# {title}

Spaced-repetition decks for [Anki](https://apps.ankiweb.net/), built with factdeck from
the facts in `cards/` (one folder per deck).

## Students: importing a deck

Download the newest `.apkg` from this repository's *Releases* page, with its release
notes (`.md`).

- **Desktop**: *File → Import…*, choose the file; the default options are right.
- **AnkiDroid**: *⋮ → Import* and pick the file. **AnkiMobile**: open the file from the
  Files app or a download and choose *Anki*.
- **AnkiWeb** has no import: import on a desktop or phone, then sync.

A new version is imported the same way, over the old one: changed cards update in place
and keep your reviews, nothing is duplicated. Then do what its release notes' *What to
do* says (corrected cards to re-learn, retired cards to delete).

## Instructors: editing and releasing

Once, in a clone of this repository (Python 3.11 or newer):

```sh
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
source .venv/bin/activate            # Windows: .venv\\Scripts\\activate
```

Edit the facts in `cards/{deck}/` (start from `examples.yaml`; `factdeck kinds` lists
every kind's fields) and watch the cards change with `factdeck serve cards/{deck}`.
`factdeck check` and `factdeck lint` run on every push (`.github/workflows/deck.yml`).
Another deck: `factdeck new cards/NAME`. Card layout: `factdeck templates eject FILE`
copies a built-in template into `templates/`, where it overrides the built-in one.

To release a version:

1. Bump `version` in the deck's `deck.yaml` (`factdeck release` says what it expects).
   The first release ships the version written there (`0.1.0`): set it first, e.g. to
   `1.0.0`, if that is the number students should see; a released version never changes.
2. Run `factdeck release`: it writes `dist/<deck>-<version>.apkg` and its release notes,
   and records the release in `cards/<deck>/factdeck.lock` and `factdeck.releases`.
3. Commit the facts **with the lock and the release record** (`git add cards`), tag the
   commit and push both: `git tag -a v<version> -m v<version> && git push --follow-tags`
   (`--follow-tags` pushes annotated tags only: a plain `git tag` stays on your machine).
   On the tag, CI writes the release again (refusing if it would differ from what the lock
   recorded) and attaches the package and notes to a GitHub release for students.

Never delete or hand-edit a `factdeck.lock`: it is what keeps every student's review
history when they import the next version. `.gitattributes` lets git merge it when two
instructors work on branches.
"""
