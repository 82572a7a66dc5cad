#!/usr/bin/env python
"""`make bench`: every benchmark in turn on the local PostgreSQL and Redis; figures go to docs/performance.md."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ["bench/submit.py", "bench/purge.py", "bench/conversion.py", "bench/audit.py", "bench/scale.py"]


def main():
    """Run each benchmark; exit non-zero if any missed its target."""
    failed = [b for b in BENCHMARKS if subprocess.run([sys.executable, b, *sys.argv[1:]], cwd=ROOT).returncode != 0]
    if failed:
        print(f"missed their targets: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
