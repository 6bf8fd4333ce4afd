"""Corpus generation throughput: sample a world and write its corpus, timed stage by stage.

    python benchmarks/bench_corpus.py                    # the paper world: 100,000 facts, target < 2 min
    python benchmarks/bench_corpus.py --world default --out runs/bench --keep

Prints the time to sample the world, to render and write the corpus, sentences per second and tokens,
and whether the whole run stays under the target (2 minutes on 2 CPU cores for the paper world).
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import bridges

TARGET_SECONDS = 120.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", default="paper", help="world name or graph file (default: paper)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shuffles", type=int, default=3)
    parser.add_argument("--out", default=None, help="corpus directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus (default: delete it)")
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="target seconds (default: 120)")
    args = parser.parse_args(argv)

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_corpus_")) / "corpus"
    start = time.perf_counter()
    spec = bridges.resolve_world(args.world)
    world = spec.sample(args.seed)
    sampled = time.perf_counter() - start
    summary = bridges.write_corpus(world, out, shuffles=args.shuffles, world_name=spec.name,
                                   world_options=spec.options(), quiet=True, progress=False)
    total = time.perf_counter() - start
    size = sum(p.stat().st_size for p in out.iterdir())
    if not args.keep:
        shutil.rmtree(out if args.out else out.parent)

    print(f"world {spec.name!r}: {summary.facts:,} true facts, {len(world.subjects):,} subjects, "
          f"{len(world.graph.relations)} relations, {summary.held_out:,} held out")
    print(f"sample world        {sampled:8.1f} s")
    print(f"render + write      {summary.seconds:8.1f} s   {summary.sentences_per_second:12,.0f} sentences/s")
    print(f"total               {total:8.1f} s   {summary.sentences / total:12,.0f} sentences/s overall")
    print(f"corpus              {summary.sentences:,} sentences, {summary.documents:,} documents, "
          f"{summary.tokens:,} tokens, {size / 2**20:,.0f} MiB")
    verdict = "under" if total < args.target else "OVER"
    print(f"target              {verdict} the {args.target:.0f} s target ({total:.1f} s)")
    return 0 if total < args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
