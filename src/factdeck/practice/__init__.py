"""Multiple-choice practice questions (MBLEx style) generated from typed facts.

`spec` reads the `practice:` sections of the kind templates, `options` decides which wrong
options are valid and which four are shown (pure, deterministic), `generate` turns a deck's
facts into practice notes and says which facts got none, and why.
"""

from factdeck.practice.generate import PRACTICE_TAG, Practice, Skip, generate

__all__ = ["PRACTICE_TAG", "Practice", "Skip", "generate"]
