"""How much factdeck reads of any one input, in one place (docs/refuses.md lists them).

Every file a command reads may come from a merge, a copy or a download: each is read by
size first (fs/read.read_bytes refuses a larger file before reading a byte, and a pipe or
device without opening it for long), then parsed with its depth bounded (YAML by PyYAML's own limit, JSON by Python's
recursion limit: fs/read.json_value), so no input can
exhaust memory, recurse Python off its stack or hang a command. The values are generous:
the largest real deck (200,000 facts) is far below each.
"""

from __future__ import annotations

MB = 1_000_000

FACT_FILE = 5 * MB  # one fact file (deck.yaml, claims.yaml too); more: split it
YAML_VALUES = 1_000_000  # values a YAML file expands to, aliases written out (bombs)
SVG = 2 * MB  # one diagram
LOCK = 512 * MB  # factdeck.lock: about 400 bytes a note, so a million notes fit
LOCK_LINE = 1 * MB  # one entry of the lock (a note's line is under 1 kB)
JOURNAL = 16 * MB  # a commit journal names a few files
CACHE_ENTRY = 64 * MB  # one cache row or manifest (rebuilt when larger)
INPUT_DIGEST = 64 * MB  # a file the early stop digests (larger: the full build decides)
ARTICLE = 10 * MB  # the article `factdeck new --from` reads (a book is about 1 MB)
SECRET = 4096  # the machine secret (32 bytes)
REPORT = 1 * MB  # a student's problem report `triage` reads (a link or its text: kB)

# An .apkg given to `factdeck diff` (and each package a build verifies)
PACKAGE = 2_000 * MB  # the file itself
PACKAGE_MEMBERS = 100_000  # zip entries (a collection, its media list, one per media file)
PACKAGE_UNPACKED = 4_000 * MB  # all entries uncompressed, as the zip declares (zipfile
# reads no more than an entry declares, so a zip bomb is refused before it is unpacked)
COLLECTION = 1_000 * MB  # the SQLite collection uncompressed
MEDIA_LIST = 16 * MB  # the `media` entry (JSON)

LATEST_TIME = 253_402_300_799  # SOURCE_DATE_EPOCH at most: 9999-12-31 23:59:59 UTC
LOCK_WAIT = 86_400.0  # FACTDECK_LOCK_WAIT at most (a day): never forever
INT64 = 2**63 - 1  # SQLite's and Anki's integers: ids and times above it cannot be stored
