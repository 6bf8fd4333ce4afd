"""Edit requests evaluated per second: the previous path (one request at a time, every edit trained and
scored on its own) against the batched path (chunks of requests: edits trained together where the method
allows, every query, sentence and check of a chunk scored in one batch), in one run, on the same requests,
with the records compared.

    python benchmarks/bench_evaluate.py --run runs/default                 # the main command's run
    python benchmarks/bench_evaluate.py --run runs/default --requests 32 --methods lora ft

The run directory must hold the stages up to ``requests`` (``python -m bridges requests --run RUN``). Both paths
run in this process with the same torch threads (``--threads``, 1 by default as in the evaluate stage).
"""

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

import bridges
from bridges import evaluate


class OneByOne:
    """A believer seen only through the protocol's single-edit methods (no edit_many): the previous path."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name

    def domain(self, relation):
        return self.inner.domain(relation)

    def distributions(self, queries):
        return self.inner.distributions(queries)

    def sentence_probabilities(self, sentences):
        return self.inner.sentence_probabilities(sentences)

    def edit(self, request, seed=0):
        return self.inner.edit(request, seed)


def _floats(a, b, path=""):
    """(largest |difference| of the float fields, list of differing non-float fields)."""
    if isinstance(a, dict):
        out = [_floats(a[k], b[k], f"{path}/{k}") for k in a]
        return max([0.0, *(x for x, _ in out)]), [d for _, ds in out for d in ds]
    if isinstance(a, list):
        out = [_floats(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b))]
        return max([0.0, *(x for x, _ in out)]), [d for _, ds in out for d in ds]
    if isinstance(a, float):
        return abs(a - b), []
    return 0.0, ([] if a == b else [path])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/default", help="run directory with stages up to requests (default: %(default)s)")
    ap.add_argument("--config", default=None, help="the run's TOML config, if it has one")
    ap.add_argument("--requests", type=int, default=48, help="requests timed on each path (default: %(default)s)")
    ap.add_argument("--methods", nargs="+", default=None, help="LM edit methods (default: the config's)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default: %(default)s)")
    args = ap.parse_args(argv)

    config = bridges.load_config(args.config)
    if args.methods:
        config = config.merged({"evaluate": {"methods": args.methods}}, "command line")
    settings = config.validate()
    torch.set_num_threads(args.threads)
    run = Path(args.run)
    world, references, agents = bridges.load_agents(run, settings)
    requests = bridges.load_requests(run)[0][: args.requests]
    indices = list(range(len(requests)))
    ev = cfg = settings.evaluate
    evaluate(world, references, agents, requests[:1], [0], cfg)  # warm-up: imports, peft, caches of sympy

    old_agents = {n: OneByOne(dataclasses.replace(a, cache=None) if hasattr(a, "cache") else a)
                  for n, a in agents.items()}
    t = time.perf_counter()
    old = [rec for i in indices for rec in evaluate(world, references, old_agents, [requests[i]], [i], cfg)]
    t_old = time.perf_counter() - t

    t = time.perf_counter()
    new = []
    for start in range(0, len(requests), ev.chunk):
        chunk = indices[start: start + ev.chunk]
        new += evaluate(world, references, agents, [requests[i] for i in chunk], chunk, cfg)
    t_new = time.perf_counter() - t

    diff, changed = _floats(old, new)
    n = len(requests)
    print(f"evaluate, {n} edit requests x agents {list(agents)} x references {list(references)}, "
          f"{args.threads} torch thread(s), logic checks on the first {ev.logic_requests} requests:")
    print(f"  one request at a time (previous path): {t_old:.1f} s = {n / t_old:.2f} requests/s")
    print(f"  batched, chunks of {ev.chunk} requests:         {t_new:.1f} s = {n / t_new:.2f} requests/s "
          f"({t_old / t_new:.2f}x)")
    print(f"  records: largest difference of any number {diff:.2e} (float rounding of batched matrix products); "
          f"{len(changed)} non-numeric fields differ" + (f": {changed[:5]}" if changed else ""))
    timings = {"requests": n, "old_s": t_old, "new_s": t_new, "max_difference": diff, "differing_fields": changed}
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
