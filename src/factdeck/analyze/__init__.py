"""What students send back, read for their instructor. `factdeck analyze`: students' exports
(with scheduling) -> how each card and fact works for the class; the official Anki engine
reads the exports (the `analyze` extra). `factdeck triage`: a student's problem report ->
the fact, its file and line, and the card (triage.py)."""
