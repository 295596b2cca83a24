"""Anki's own rules, as Anki's source states them: cloze grammar, ids, media file names.

Nothing here imports factdeck: every stage may rely on these rules, and a change of Anki is
mended in one place."""
