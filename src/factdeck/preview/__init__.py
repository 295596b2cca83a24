"""Seeing cards before students do: the preview page, a preview-only copy of Anki's card
rendering, and the printable handout."""
