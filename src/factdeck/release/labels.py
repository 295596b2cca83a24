"""Mask labels of the diagrams a release changed, so the notes name masks by their words."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Deck, Diagram
from .compare import ReleaseChanges


def mask_labels(deck: Deck, changes: ReleaseChanges) -> Mapping[str, tuple[str, ...]]:
    """Each changed or added diagram fact's mask labels, in card order (measured again:
    only the diagrams in the notes)."""
    from ..occlusion import provider

    wanted = {d.after.fact for d in (*changes.added, *changes.changed) if d.after.masks}
    labels = {}
    for entry in deck.entries:
        if entry.fact.id in wanted and isinstance(entry.fact, Diagram):
            masks = provider(entry, deck).context["masks"]
            labels[entry.fact.id] = tuple(mask.answer for mask in masks)
    return labels
