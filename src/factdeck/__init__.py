"""factdeck: structured facts (YAML) to Anki study decks (.apkg).

The rooms follow the pipeline, top to bottom, and imports only run down: cli/ (commands)
→ release.py, preview/ → pipeline.py → cache/ → lint/, history/, authoring/, stats.py →
apkg/, diagrams/, practice/, project.py → render/ → facts/ → model.py, fs/, anki/,
errors.py, stages.py. docs/architecture.md says what each room holds and where to change
what.
"""
