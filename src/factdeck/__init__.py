"""factdeck: structured facts (YAML) to Anki study decks (.apkg).

The rooms follow the pipeline, top to bottom, and imports only run down: cli/ (commands)
→ release.py, analyze/, preview/ → pipeline.py → cache/ → lint/, history/, authoring/ →
apkg/, diagrams/, practice/ → render/ → facts/ → fs/, anki/, errors.py, stages.py. docs/architecture.md says what each room holds and where to change
what.
"""

import importlib.metadata


def installed_version(package: str = "factdeck") -> str | None:
    """`package`'s installed version (factdeck's own by default); None when it is not
    installed (factdeck run from a plain checkout). The one reading of it: the lock names
    the built-in templates by it, the caches key on it, `new COURSE` pins it."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None
