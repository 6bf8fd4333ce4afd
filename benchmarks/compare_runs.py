"""Are two runs' results the same, bit for bit? (The check behind "the default run's records are identical
before and after a restructuring".)

Compares the sha256 of each top-level part of ``results.json`` (records, summary, knowledge, ... serialised
with sorted keys) and of the world, corpus and trained weights::

    python benchmarks/compare_runs.py runs/before runs/after

Exits 1 if any part both runs have differs; parts only one run has are listed, not counted, and so is
``config`` (the settings as each version of the code records them: not a result).
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

FILES = ("world/world.json", "corpus/corpus.jsonl", "train/model/model.safetensors", "fit/posterior.npz")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def compare(a: Path, b: Path) -> bool:
    """Print one line per part; True when every part both runs hold is identical."""
    same = True
    ra, rb = (json.loads((p / "results.json").read_text()) for p in (a, b))
    for key in sorted(set(ra) | set(rb)):
        if key not in ra or key not in rb:
            print(f"results.json {key}: only in {a if key in ra else b}")
            continue
        ha, hb = (_sha(json.dumps(r[key], sort_keys=True).encode()) for r in (ra, rb))
        if key == "config":
            print(f"results.json config: {'same' if ha == hb else 'differs'} (the recorded settings: not compared)")
            continue
        same &= ha == hb
        print(f"results.json {key}: {ha} {hb} {'same' if ha == hb else 'DIFFERENT'}")
    for name in FILES:
        fa, fb = a / name, b / name
        if fa.is_file() and fb.is_file():
            ha, hb = _sha(fa.read_bytes()), _sha(fb.read_bytes())
            same &= ha == hb
            print(f"{name}: {ha} {hb} {'same' if ha == hb else 'DIFFERENT'}")
    return same


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    sys.exit(0 if compare(args.before, args.after) else 1)


if __name__ == "__main__":
    main()
