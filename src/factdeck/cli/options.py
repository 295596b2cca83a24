"""The options commands share: one bundle for the deck commands, and the identity-guard
override flags of build, check and release."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from factdeck.cli.terminal import QuietOption, VerboseOption

if TYPE_CHECKING:
    from factdeck.history.guards import Allow

F = TypeVar("F", bound=Callable[..., Any])


class Decorator(Protocol):
    """What `deck_options` returns: it gives back the command it was handed, options added."""

    def __call__(self, command: F, /) -> F: ...


_FLAGS = (
    (
        "--allow-note-type-change",
        "note_type_change",
        "Ship a note type whose fields or card types changed (students import with 'Merge note "
        "types' ticked and 'Update notes: Always').",
    ),
    (
        "--allow-slug-change",
        "slug_change",
        "Ship a changed deck slug (every card arrives as new; the notes tell students to delete "
        "the retired copies).",
    ),
    (
        "--allow-deck-rename",
        "deck_rename",
        "Ship a renamed deck or sub-deck (the notes tell students to rename theirs first).",
    ),
    (
        "--allow-subdeck-move",
        "subdeck_move",
        "Ship facts moved to another sub-deck (the notes give the search and Change Deck steps).",
    ),
    (
        "--allow-mask-change",
        "mask_change",
        "Ship reordered or removed diagram masks (the notes say which cards to reset).",
    ),
)


DeckDirs = click.argument(
    "deck_dirs",
    metavar="[DECK_DIR]...",
    nargs=-1,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
CardsOption = click.option(
    "--cards",
    "cards_dir",
    default="cards",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder whose decks are used when no DECK_DIR is given.",
)
TemplatesOption = click.option(
    "--templates",
    "templates_dir",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Templates folder [default: nearest templates/ above the deck].",
)


def deck_options(
    out: str | None = None, overrides: bool = False, extra: tuple[Callable[[Any], Any], ...] = ()
) -> Decorator:
    """The options of a command over decks, in the order --help shows them: DECK_DIRs,
    --cards, --out (with `out` as its help), --templates, the override flags, `extra`,
    -q and -v."""
    stack: list[Callable[[Any], Any]] = [DeckDirs, CardsOption]
    if out is not None:
        stack.append(
            click.option(
                "--out",
                "out_dir",
                default=None,
                type=click.Path(file_okay=False, path_type=Path),
                help=out,
            )
        )
    stack.append(TemplatesOption)
    if overrides:
        stack.append(override_options)
    stack += [*extra, QuietOption, VerboseOption]

    def apply(command: F) -> F:
        for option in reversed(stack):
            command = option(command)
        return command

    return apply


def override_options(command: F) -> F:
    for flag, name, text in reversed(_FLAGS):
        command = click.option(flag, name, is_flag=True, help=text)(command)
    return command


def allow(options: dict[str, Any]) -> Allow:
    """Pop the override flags out of a command's keyword arguments."""
    from factdeck.history.guards import Allow

    return Allow(**{name: bool(options.pop(name, False)) for _, name, _ in _FLAGS})
