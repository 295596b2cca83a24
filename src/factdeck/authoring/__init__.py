"""Tools for deck authors around the build: start a deck from nothing or from an article
(`new`), the field reference (`kinds`, docs/kinds.md), the editor schemas (`schema`) and
what a deck holds, counted (`stats`: deck_stats.py; students' results are analyze/'s).
Their commands, and the live preview server, live in cli/."""
