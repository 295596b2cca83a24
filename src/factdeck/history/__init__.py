"""A deck's identity and history: the lock (note ids, cards and releases), its file
format, the identity guards that refuse edits which would strand students' cards, the
comparison between releases, the release notes, and the .apkg-to-.apkg diff."""
