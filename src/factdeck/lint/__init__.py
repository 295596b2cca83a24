"""Card-quality lint: the engine (findings, `lint:` exceptions, near duplicates), one view
of a card as the student reads it, and the rules."""
