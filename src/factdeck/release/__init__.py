"""A deck's life across versions: identity guards, release notes, and publishing releases."""
