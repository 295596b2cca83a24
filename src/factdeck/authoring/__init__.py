"""Tools for deck authors around the build: start a deck from nothing or from an article
(`new`), the field reference (`kinds`, docs/kinds.md) and the editor schemas (`schema`).
Their commands, and the live preview server, live in cli/."""
