"""The .apkg file, and only here: write a package, read one back, verify what was written
the way Anki's importer will read it."""
