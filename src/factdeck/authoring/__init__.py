"""Tools for deck authors around the build: start a deck (`new`), the field reference
(`kinds`, docs/kinds.md), editor schemas (`schema`), live preview (`serve`) and the
printable handout (`preview --pdf`)."""
