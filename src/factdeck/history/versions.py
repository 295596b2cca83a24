"""What a release's version number must say (semantic versioning, as students read it): a
release that adds, retires or corrects cards gives students cards to learn or re-learn,
so it is at least a minor version; edits that leave every answer standing may be a patch."""

from __future__ import annotations

from collections.abc import Collection

from factdeck.facts.semver import numbers
from factdeck.history.compare import ReleaseChanges


def is_patch(old: str, new: str) -> bool:
    """Whether `new` raises only the patch number of `old` (False when either is unreadable;
    a pre-release followed by its own release, 2.1.0-rc.1 then 2.1.0, is no patch)."""
    before, after = numbers(old), numbers(new)
    return before is not None and after is not None and after[:2] == before[:2] and after != before


def minor_reasons(found: ReleaseChanges, corrected: Collection[str]) -> tuple[str, ...]:
    """What in `found` students must learn or re-learn, in words ("adds 2 cards"); empty when
    a patch version says it truly. `corrected`: the facts whose correction ships now."""
    added = sum(len(d.after.cards) for d in found.added) + sum(
        len(set(d.after.cards) - set(d.before.cards))
        for d in found.changed
        if d.before is not None and d.after.retired is None
    )
    retired = sum(len(d.before.cards) if d.before else 1 for d in found.retired) + sum(
        len(d.cards_dropped) for d in found.changed
    )
    reasons = []
    if added:
        reasons.append(f"adds {_cards(added)}")
    if retired:
        reasons.append(f"retires {_cards(retired)}")
    if corrected:
        names = ", ".join(f"'{fact}'" for fact in sorted(corrected))
        reasons.append(f"corrects the answer of {names}")
    return tuple(reasons)


def suggest(version: str, minor: bool) -> str:
    """The next version after `version`: a minor one when students have cards to learn; the
    release itself after a pre-release of it."""
    major, minor_number, patch = numbers(version) or (0, 0, 0)
    if "-" in version and numbers(version):
        return f"{major}.{minor_number}.{patch}"
    return f"{major}.{minor_number + 1}.0" if minor else f"{major}.{minor_number}.{patch + 1}"


def _cards(count: int) -> str:
    return f"{count} card{'' if count == 1 else 's'}"
