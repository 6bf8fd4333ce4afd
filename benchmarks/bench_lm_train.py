"""Training throughput: tokens/s and achieved FLOP/s as a fraction of a same-run matmul peak.

Measurements, interleaved in rounds so a busy neighbour slows all of them alike (medians printed):

* ``peak``: a 2048^3 matrix multiply, fp32 and bf16 (a step is compared with the peak of its precision);
* ``ceiling``: the step's own weight matmuls alone (every linear layer's forward product and its two
  backward products at the batch's token count, nothing else), each precision: what a step could reach
  if attention, norms, activations and the optimizer took no time;
* ``plain``: a plain Hugging Face loop, ``model(input_ids, labels=...)``, AdamW, gradient clipping, on the
  2.2M-parameter Llama of MEASURED.md (d192, 4 layers, FFN 512, batch 64 x 64);
* ``lm fp32``, ``lm bf16``: :func:`lm.train_step` as ``train_from_corpus`` runs it
  (``torch.compile`` and deterministic kernels by default) on the chosen preset with the default
  :class:`lm.TrainConfig` batch, under each precision;
* ``lm ... eager``: the default precision without ``torch.compile``.

Achieved FLOP/s = 6 x parameters x tokens / time (the embedding is tied to the output layer, so every
counted parameter takes part in a matmul). Optionally (``--corpus DIR``) also trains the preset on a
corpus directory and prints the accuracy curve.

    python benchmarks/bench_lm_train.py                       # throughput only, about a minute
    python benchmarks/bench_lm_train.py --corpus runs/corpus  # plus a full training run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

import lm  # noqa: E402
from lm import bf16_native, make_optimizer, train_step  # noqa: E402


def matmul_peak(n: int = 2048, reps: int = 3, dtype=torch.float32) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.perf_counter() - t)


def matmul_ceiling(model: torch.nn.Module, tokens: int, dtype=torch.float32, backward: bool = True,
                   reps: int = 3) -> float:
    """FLOP/s of ``model``'s weight matmuls alone at ``tokens`` rows (best of ``reps``).

    For every ``nn.Linear`` (the tied output layer included) with a (out, in) weight: the forward
    product (tokens, in) x (in, out), and if ``backward`` the input gradient (tokens, out) x (out, in) and
    the weight gradient (out, tokens) x (tokens, in): 6 x parameters x tokens FLOPs (2x without backward),
    the same count the achieved FLOP/s of a step uses, so the ratio of the two is the time a step spends
    outside its matmuls.
    """
    shapes = [tuple(m.weight.shape) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    xs = {i: torch.randn(tokens, i, dtype=dtype) for _, i in shapes}
    gs = {o: torch.randn(tokens, o, dtype=dtype) for o, _ in shapes}
    ws = [torch.randn(o, i, dtype=dtype) for o, i in shapes]

    def once() -> None:
        for w in ws:
            out, inp = w.shape
            xs[inp] @ w.t()
            if backward:
                gs[out] @ w
                gs[out].t() @ xs[inp]

    once()
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        once()
        best = min(best, time.perf_counter() - t)
    return (6 if backward else 2) * tokens * sum(o * i for o, i in shapes) / best


def plain_loop(vocab: int, steps: int):
    """The MEASURED.md baseline: a plain HF loop on a 2.2M Llama, batch 64 x 64."""
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=192, intermediate_size=512, num_hidden_layers=4,
                      num_attention_heads=6, num_key_value_heads=6, max_position_embeddings=64,
                      tie_word_embeddings=True, pad_token_id=0, bos_token_id=2, eos_token_id=2)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randint(3, vocab, (64, 64))
    n = lm.n_params(model)

    def run(k: int) -> float:
        t = time.perf_counter()
        for _ in range(k):
            loss = model(input_ids=x, labels=x).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
        return x.numel() * k / (time.perf_counter() - t)

    run(2)  # warm-up
    return n, run


def lm_loop(preset: str, vocab: int, cfg: lm.TrainConfig):
    """``train_from_corpus``'s step (deterministic kernels), compiled if ``cfg.compile``."""
    model = lm.build_model(lm.get_preset(preset), vocab, seed=0).train()
    opt = make_optimizer(model, cfg, torch.device("cpu"))
    net = torch.compile(model) if cfg.compile else model
    x = torch.randint(3, vocab, (cfg.batch_size, cfg.context + 1))
    n = lm.n_params(model)

    def run(k: int) -> float:
        t = time.perf_counter()
        for _ in range(k):
            train_step(net, model, opt, x, cfg.lr, cfg)
        return cfg.batch_size * cfg.context * k / (time.perf_counter() - t)

    t = time.perf_counter()
    run(1)  # compilation, if any
    first = time.perf_counter() - t
    run(2)
    return n, run, first


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tiny")
    p.add_argument("--vocab", type=int, default=1200, help="vocabulary size (the default world has ~1.1k words)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=6, help="optimizer steps per measurement")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    p.add_argument("--corpus", default=None, help="also train the preset on this corpus directory")
    p.add_argument("--out", default=None, help="output directory for --corpus (default: a temp dir)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = lm.TrainConfig()
    if cfg.bf16 is None:  # as train_from_corpus resolves it
        cfg = replace(cfg, bf16=bf16_native(torch.device("cpu")))
    default = "bf16" if cfg.bf16 else "fp32"
    n_plain, plain = plain_loop(args.vocab, args.steps)
    # the step in both precisions, compiled as configured, and the default precision eager
    steps = {}
    for prec in ("fp32", "bf16"):
        n_lm, fn, first = lm_loop(args.preset, args.vocab, replace(cfg, bf16=prec == "bf16"))
        steps[f"lm {prec}"] = (prec, fn, first)
    _, eager, _ = lm_loop(args.preset, args.vocab, replace(cfg, compile=False))
    steps[f"lm {default} eager"] = (default, eager, 0.0)
    shapes = lm.build_model(lm.get_preset(args.preset), args.vocab)
    tokens = cfg.batch_size * cfg.context
    rows = {"peak fp32": [], "peak bf16": [], "ceiling fp32": [], "ceiling bf16": [], "plain": [],
            **{k: [] for k in steps}}
    for _ in range(args.rounds):
        for prec, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
            rows[f"peak {prec}"].append(matmul_peak(dtype=dtype))
            rows[f"ceiling {prec}"].append(matmul_ceiling(shapes, tokens, dtype))
        rows["plain"].append(plain(args.steps))
        for k, (_, fn, _) in steps.items():
            rows[k].append(fn(args.steps))
    peaks = {prec: statistics.median(rows[f"peak {prec}"]) for prec in ("fp32", "bf16")}
    ceilings = {prec: statistics.median(rows[f"ceiling {prec}"]) for prec in ("fp32", "bf16")}
    res = {"threads": torch.get_num_threads(), "peak_gflops": {k: v / 1e9 for k, v in peaks.items()},
           "ceiling_gflops": {k: v / 1e9 for k, v in ceilings.items()},
           "default_precision": default, "compile": cfg.compile}
    print(f"threads {res['threads']}, matmul peak (2048^3, median of {args.rounds}): fp32 {peaks['fp32'] / 1e9:.1f}, "
          f"bf16 {peaks['bf16'] / 1e9:.1f} GFLOP/s")
    print(f"ceiling: preset {args.preset!r}'s weight matmuls alone, forward and backward at {tokens} tokens: "
          + ", ".join(f"{p} {ceilings[p] / 1e9:.1f} GFLOP/s = {ceilings[p] / peaks[p]:.0%} of its peak"
                      for p in ("fp32", "bf16")))
    table = [("plain", "plain HF loop, Llama d192x4 (MEASURED.md), batch 64x64", "fp32", n_plain)]
    for k, (prec, _, first) in steps.items():
        how = "eager" if k.endswith("eager") else f"compile={cfg.compile}, first step {first:.1f} s"
        default_mark = " [the default]" if k == f"lm {default}" else ""
        table.append((k, f"lm train_step {prec} ({how}), preset {args.preset!r}, batch {cfg.batch_size}x"
                         f"{cfg.context}{default_mark}", prec, n_lm))
    for key, name, prec, n in table:
        t = statistics.median(rows[key])
        flops = 6 * n * t
        of_ceiling = "" if key == "plain" else f", {flops / ceilings[prec]:.0%} of the ceiling"
        print(f"{name}: {n / 1e6:.2f}M params, {t:,.0f} tokens/s, {flops / 1e9:.1f} GFLOP/s = "
              f"{flops / peaks[prec]:.0%} of the {prec} peak{of_ceiling}")
        res[key] = {"params": n, "tokens_per_s": t, "gflops": flops / 1e9, "fraction": flops / peaks[prec],
                    "fraction_of_ceiling": flops / ceilings[prec]}
    for key in steps:
        ratio = statistics.median(a / b for a, b in zip(
            [n_lm * t for t in rows[key]], [n_plain * t for t in rows["plain"]]))
        print(f"{key} / plain achieved FLOP/s (median of per-round ratios): {ratio:.2f}x")
    if args.corpus:
        out = args.out or tempfile.mkdtemp(prefix="lm_train_")
        m = lm.train_from_corpus(args.corpus, out, args.preset, eval_facts=0)
        print(f"trained {args.preset!r} on {args.corpus}: {m['train_fact_accuracy']:.1%} on "
              f"{m['n_train_facts']} training facts, {m['heldout_fact_accuracy']:.1%} on held-out facts, "
              f"{m['wall_time_s']:.0f} s wall, {m['tokens_per_s']:,.0f} tokens/s")
        print("accuracy curve (epoch, step, accuracy):", json.dumps(m["accuracy_curve"]))
        res["training"] = m
    return res


if __name__ == "__main__":
    main()
