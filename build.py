"""Build every deck under cards/ into dist/: `python build.py` (options as `factdeck build`)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))  # works from a plain clone, installed or not

try:
    from factdeck.cli.main import main
except ModuleNotFoundError as missing:  # run with a Python that lacks the dependencies
    sys.exit(
        f"build.py: factdeck's dependencies are not installed here (no module "
        f"'{missing.name}'); run: python3 -m venv .venv && .venv/bin/pip install -e . "
        "&& .venv/bin/python build.py"
    )

if __name__ == "__main__":
    main(["build", "--cards", str(HERE / "cards"), "--out", str(HERE / "dist"), *sys.argv[1:]])
