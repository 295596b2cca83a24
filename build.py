"""Build every deck under cards/ into dist/: `python build.py` (options as `factdeck build`)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))  # works from a plain clone, installed or not

from factdeck.cli import main  # noqa: E402

if __name__ == "__main__":
    main(["build", "--cards", str(HERE / "cards"), "--out", str(HERE / "dist"), *sys.argv[1:]])
