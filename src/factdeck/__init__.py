"""factdeck: structured facts (YAML) to Anki study decks (.apkg).

The rooms follow the pipeline, top to bottom, and imports only run down: cli/ (commands)
→ release.py, analyze/, preview/ → pipeline.py → cache/ → lint/, history/, authoring/ →
apkg/, diagrams/, practice/ → render/ → facts/ → fs/, anki/, errors.py, stages.py. docs/architecture.md says what each room holds and where to change
what.
"""

import importlib.metadata
import json


def installed_version(package: str = "factdeck") -> str | None:
    """`package`'s installed version (factdeck's own by default); None when it is not
    installed (factdeck run from a plain checkout). The one reading of it: the lock names
    the built-in templates by it, the caches key on it, `new COURSE` pins it."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed_origin(package: str = "factdeck") -> dict[str, object] | None:
    """Where pip installed `package` from (PEP 610's direct_url.json: a wheel's or folder's
    URL, a git URL and commit); None when it came from a package index or is not installed.
    `new COURSE` pins it so a clone of the course and its CI install the same factdeck."""
    try:
        text = importlib.metadata.distribution(package).read_text("direct_url.json")
        origin = json.loads(text) if text else None
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    return origin if isinstance(origin, dict) else None
