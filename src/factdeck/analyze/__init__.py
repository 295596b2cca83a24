"""`factdeck analyze`: students' exports (with scheduling) -> how each card and fact works
for the class. The official Anki engine reads the exports (the `analyze` extra)."""
