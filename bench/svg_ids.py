"""Benchmark: reading an SVG with many ids (issue 11: 38,000 ids took 37 s, a quadratic scan).

    python bench/svg_ids.py                 # 4,750 ... 38,000 ids, doubling
    python bench/svg_ids.py --ids 38000     # one size

Prints the time to parse and index each drawing (no masks measured), and the time per id:
a flat time per id as the count doubles is a linear scan.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from factdeck.diagrams.measure import parse_drawing
from factdeck.errors import Location


def drawing(ids: int) -> bytes:
    body = "".join(f'<rect id="r{i}" x="1" y="1" width="5" height="5"/>' for i in range(ids))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{body}</svg>').encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, action="append")
    sizes = parser.parse_args().ids or [4_750, 9_500, 19_000, 38_000]
    for ids in sizes:
        data = drawing(ids)
        start = time.perf_counter()
        parse_drawing(data, Path(f"ids-{ids}.svg"), Location(Path("bench")))
        took = time.perf_counter() - start
        print(f"{ids:>7,} ids: {took:6.2f} s  ({took / ids * 1e6:5.1f} µs per id)")


if __name__ == "__main__":
    main()
