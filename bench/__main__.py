"""Run every bench/bench_*.py module's `run(quick)` and print one table.

python -m bench            # everything
python -m bench home grid  # only bench_home.py and bench_grid.py
BENCH_QUICK=1 python -m bench   # smaller scales, for a smoke run
python -m bench --quick load    # the same, as a flag
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1" or "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    rows: list[tuple[str, str, str]] = []
    failed = False
    for name in names:
        print(f"== {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            rows.extend(module.run(quick=quick))
        except Exception:  # one broken benchmark must not hide the others
            traceback.print_exc()
            rows.append((name, "-", "FAILED"))
            failed = True
        print(f"   {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print()
    print("| what | scale | result |")
    print("|---|---|---|")
    for what, scale, result in rows:
        print(f"| {what} | {scale} | {result} |")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
