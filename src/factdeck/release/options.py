"""The identity-guard override flags, shared by build, check and release."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .guards import Allow

F = TypeVar("F", bound=Callable[..., Any])

_FLAGS = (
    ("--allow-note-type-change", "note_type_change",
     "Ship a note type whose fields or card types changed (students import with 'Merge note "
     "types' ticked and 'Update notes: Always')."),
    ("--allow-slug-change", "slug_change",
     "Ship a changed deck slug (every card arrives as new; the notes tell students to delete "
     "the retired copies)."),
    ("--allow-deck-rename", "deck_rename",
     "Ship a renamed deck or sub-deck (the notes tell students to rename theirs first)."),
    ("--allow-subdeck-move", "subdeck_move",
     "Ship facts moved to another sub-deck (the notes give the search and Change Deck steps)."),
    ("--allow-mask-change", "mask_change",
     "Ship reordered or removed diagram masks (the notes say which cards to reset)."),
)


def override_options(command: F) -> F:
    for flag, name, text in reversed(_FLAGS):
        command = click.option(flag, name, is_flag=True, help=text)(command)
    return command


def allow(options: dict[str, Any]) -> Allow:
    """Pop the override flags out of a command's keyword arguments."""
    from .guards import Allow

    return Allow(**{name: bool(options.pop(name, False)) for _, name, _ in _FLAGS})
