"""Helpers shared by the tests: small decks written inside a test, the official Anki engine,
headless Chromium, and the hostile-input catalogue. Import as `tests.support.…`."""
