"""Batched scoring speed: 1,000 (subject, relation) distributions over the relation's domain.

Also times P(true) of 1,000 statements and greedy generative accuracy on every fact. Timing does not
depend on the weights, so without ``--model`` an untrained model of the preset is used; without
``--corpus`` the default world's corpus is built (seed 0, a few seconds, not timed).

    python benchmarks/bench_lm_score.py                                   # default world, untrained tiny
    python benchmarks/bench_lm_score.py --corpus runs/default/corpus --model runs/default/train
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from bench_lm_train import matmul_ceiling, matmul_peak  # noqa: E402  (this folder is on sys.path as a script)


def timed(fn, reps: int = 3):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=None, help="corpus directory (default: the default world's, built here)")
    p.add_argument("--model", default=None, help="trained model directory (default: untrained preset)")
    p.add_argument("--preset", default="tiny")
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.corpus is None:
        from bridges import make_corpus

        corpus_dir = tempfile.mkdtemp()
        make_corpus("default", corpus_dir, quiet=True)
    else:
        corpus_dir = args.corpus
    c = lm.read_corpus(corpus_dir)
    model = (lm.load(args.model) if args.model
             else lm.LanguageModel.untrained(corpus_dir, lm.get_preset(args.preset)))
    rng = np.random.default_rng(0)
    facts = [c.facts[i] for i in rng.choice(len(c.facts), args.queries, replace=len(c.facts) < args.queries)]
    queries = [(f.subject, f.relation) for f in facts]
    n_cand = sum(len(c.domains[r]) for _, r in queries)
    res = {"threads": torch.get_num_threads(), "params": lm.n_params(model.model)}
    t, _ = timed(lambda: model.distributions(queries, c.domains))
    res["distributions_s"] = t
    kind = "trained" if args.model else "untrained"
    print(f"threads {res['threads']}, {res['params'] / 1e6:.2f}M params ({kind})")
    print(f"distributions: {len(queries)} queries, {n_cand} candidates: {t:.3f} s ({len(queries) / t:,.0f} queries/s)")
    # the work itself: every packed position (prompt + prefix-tree nodes) is one token through the model
    positions = model.packed_positions(queries, c.domains)
    flops = 2 * res["params"] * positions
    peak32 = matmul_peak(dtype=torch.float32)
    peak16 = matmul_peak(dtype=torch.bfloat16)
    # the same products at the shapes scoring runs (forward only, a full chunk of rows)
    ceil32 = matmul_ceiling(model.model, lm.MAX_TOKENS_PER_PASS, torch.float32, backward=False)
    ceil16 = matmul_ceiling(model.model, lm.MAX_TOKENS_PER_PASS, torch.bfloat16, backward=False)
    res.update(positions=positions, gflop=flops / 1e9, floor_fp32_s=flops / ceil32, floor_bf16_s=flops / ceil16)
    print(f"  {positions:,} token positions = {flops / 1e9:.0f} GFLOP (2 x params x positions); the model's "
          f"weight matmuls alone, at {lm.MAX_TOKENS_PER_PASS:,} rows, run at {ceil32 / 1e9:.0f} GFLOP/s fp32 "
          f"({ceil32 / peak32:.0%} of this run's 2048^3 peak) and {ceil16 / 1e9:.0f} bf16 ({ceil16 / peak16:.0%}): "
          f"these products alone take {flops / ceil32:.2f} s in fp32, {flops / ceil16:.2f} s in bf16")
    # reference: the same numbers by plain teacher forcing of every (prompt, candidate) pair
    prompts = [f"{s} {r}" for s, r in queries[:100] for _ in c.domains[r]]
    conts = [f"{o} ." for _, r in queries[:100] for o in c.domains[r]]
    t_ref, lp = timed(lambda: model.logprob(prompts, conts), reps=1)
    _, raw = model.distributions(queries[:100], c.domains)
    err = np.abs(np.concatenate(raw) - np.exp(lp)).max()
    print(f"  check: 100 queries by plain teacher forcing {t_ref:.3f} s, max |difference| {err:.1e}")
    fast = lm.LanguageModel(model.model, model.tokenizer, bf16=True)
    t, (norm16, _) = timed(lambda: fast.distributions(queries, c.domains))
    norm32, _ = model.distributions(queries, c.domains)
    err = max(float(np.abs(a - b).max()) for a, b in zip(norm16, norm32))
    res["distributions_bf16_s"] = t
    print(f"distributions under bf16 autocast: {t:.3f} s ({len(queries) / t:,.0f} queries/s), "
          f"max |difference| of normalised probabilities vs float32: {err:.1e}")
    sentences = [f"{f.subject} {f.relation} {f.object}" for f in facts]
    t, _ = timed(lambda: model.p_true(sentences))
    res["p_true_s"] = t
    print(f"p_true: {len(sentences)} statements: {t:.3f} s")
    t, ok = timed(lambda: model.fact_correct(c.facts), reps=1)
    res["fact_correct_s"] = t
    print(f"generative accuracy on all {len(c.facts)} facts: {t:.3f} s (accuracy {ok.mean():.1%})")
    return res


if __name__ == "__main__":
    main()
