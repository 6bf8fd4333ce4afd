"""Training throughput: tokens/s and achieved FLOP/s as a fraction of a same-run matmul peak.

Three measurements, interleaved in rounds so a busy neighbour slows all of them alike (medians printed):

* ``peak``: a 2048^3 fp32 matrix multiply (the same precision as training);
* ``plain``: a plain Hugging Face loop, ``model(input_ids, labels=...)``, AdamW, gradient clipping, on the
  2.2M-parameter Llama of MEASURED.md (d192, 4 layers, FFN 512, batch 64 x 64);
* ``lm``: :func:`lm._train.train_step` (the step ``train_from_corpus`` runs) on the chosen preset with
  the default :class:`lm.TrainConfig` batch.

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

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

import lm  # noqa: E402
from lm._train import make_optimizer, train_step  # noqa: E402


def matmul_peak(n: int = 2048, reps: int = 3, dtype=torch.float32) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.perf_counter() - t)


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
    model = lm.build_model(lm.get_preset(preset), vocab, seed=0).train()
    opt = make_optimizer(model, cfg, torch.device("cpu"))
    x = torch.randint(3, vocab, (cfg.batch_size, cfg.context + 1))
    n = lm.n_params(model)

    def run(k: int) -> float:
        t = time.perf_counter()
        for _ in range(k):
            train_step(model, model, opt, x, cfg.lr, cfg)
        return cfg.batch_size * cfg.context * k / (time.perf_counter() - t)

    run(2)
    return n, run


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
    n_plain, plain = plain_loop(args.vocab, args.steps)
    n_lm, ours = lm_loop(args.preset, args.vocab, cfg)
    rows = {"peak": [], "plain": [], "lm": []}
    for _ in range(args.rounds):
        rows["peak"].append(matmul_peak())
        rows["plain"].append(plain(args.steps))
        rows["lm"].append(ours(args.steps))
    peak = statistics.median(rows["peak"])
    res = {"threads": torch.get_num_threads(), "peak_fp32_gflops": peak / 1e9}
    print(f"threads {res['threads']}, fp32 matmul peak (2048^3, median of {args.rounds}): {peak / 1e9:.1f} GFLOP/s")
    for name, n, tps in (("plain HF loop, Llama d192x4 (MEASURED.md), batch 64x64", n_plain, rows["plain"]),
                         (f"lm train_step, preset {args.preset!r}, batch {cfg.batch_size}x{cfg.context}",
                          n_lm, rows["lm"])):
        t = statistics.median(tps)
        flops = 6 * n * t
        print(f"{name}: {n / 1e6:.2f}M params, {t:,.0f} tokens/s, {flops / 1e9:.1f} GFLOP/s = "
              f"{flops / peak:.0%} of peak")
        res[name.split(",")[0]] = {"params": n, "tokens_per_s": t, "gflops": flops / 1e9, "fraction": flops / peak}
    ratio = statistics.median(a / b for a, b in zip(
        [6 * n_lm * t for t in rows["lm"]], [6 * n_plain * t for t in rows["plain"]]))
    print(f"lm / plain achieved FLOP/s (median of per-round ratios): {ratio:.2f}x")
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
