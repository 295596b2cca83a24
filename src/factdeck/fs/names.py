"""The names of the files factdeck keeps in a deck folder, in one place: the stages that
write them and the early stop that only looks at them must agree, and none of them should
import another stage for a name."""

LOCK_NAME = "factdeck.lock"  # note identities and releases (history/lock.py): committed
RECORD_NAME = "factdeck.releases"  # what each release shipped (history/lockfile.py): committed
CACHE_DIR = ".factdeck-cache"  # the per-file cache and the early-stop manifest: never committed
JOURNAL = ".factdeck-commit.json"  # the commit point's journal (fs/commit.py)
MUTEX_FILE = ".factdeck-build.lock"  # held, never read, while a build runs (fs/mutex.py)

# What a deck's .gitignore holds (`factdeck new` writes it): factdeck's files while it builds
GIT_IGNORED = (CACHE_DIR + "/", MUTEX_FILE, JOURNAL, ".factdeck*.tmp")
