"""Independent LoRA edits per second: the one-at-a-time loop against batched training (lm.edit_many).

Each request changes a training fact to another object of its relation's domain. The loop runs
``lm.edit(model, "lora", [r])`` for the first ``--loop`` requests; ``lm.edit_many`` trains all
``--edits`` together. Printed: edits/s of each, the largest difference between the loop's and the batch's
distributions over the edited relation (same requests), and, on a trained model, edit success (the
requested object becomes the greedy answer) and how many other facts of the same subject keep theirs.

    python benchmarks/bench_lm_edit.py --corpus runs/corpus --model runs/lm
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402
import torch  # noqa: E402

from typing import NamedTuple  # noqa: E402

import lm  # noqa: E402


class Request(NamedTuple):
    """An edit request as lm takes it: any object with subject, relation and obj."""

    subject: str
    relation: str
    obj: str


def requests_for(corpus: lm.Corpus, n: int, seed: int = 0) -> list[Request]:
    rng = np.random.default_rng(seed)
    facts = corpus.train_facts
    out = []
    for i in rng.choice(len(facts), n, replace=len(facts) < n):
        f = facts[i]
        dom = corpus.domains[f.relation]
        other = [o for o in dom if o != f.object]
        out.append(Request(f.subject, f.relation, other[rng.integers(len(other))]))
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=None, help="corpus directory (default: a look-alike of the default world)")
    p.add_argument("--model", default=None, help="trained model directory (default: untrained preset)")
    p.add_argument("--preset", default="tiny")
    p.add_argument("--edits", type=int, default=200, help="independent edits trained by edit_many")
    p.add_argument("--loop", type=int, default=20, help="edits run one at a time (a prefix of the same requests)")
    p.add_argument("--steps", type=int, default=None, help="LoRA steps (default: LoraEditConfig's)")
    p.add_argument("--lr", type=float, default=None, help="LoRA learning rate (default: LoraEditConfig's)")
    p.add_argument("--chunk", type=int, default=256, help="edits per batched computation")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    corpus_dir = args.corpus or lm.write_toy_corpus(tempfile.mkdtemp(), n_subjects=600, n_relations=9)
    c = lm.read_corpus(corpus_dir)
    model = (lm.load(args.model) if args.model
             else lm.LanguageModel.untrained(corpus_dir, lm.get_preset(args.preset)))
    cfg = lm.LoraEditConfig(**{k: v for k, v in (("steps", args.steps), ("lr", args.lr)) if v is not None})
    reqs = requests_for(c, args.edits)
    print(f"threads {torch.get_num_threads()}, {lm.n_params(model.model) / 1e6:.2f}M params "
          f"({'trained' if args.model else 'untrained'}), {cfg}")
    res = {"threads": torch.get_num_threads()}

    lm.edit(model, "lora", reqs[:1], cfg)  # warm-up (imports peft)
    t = time.perf_counter()
    singles = [lm.edit(model, "lora", [r], cfg) for r in reqs[: args.loop]]
    t_loop = time.perf_counter() - t
    res["loop_edits_per_s"] = args.loop / t_loop
    print(f"one at a time: {args.loop} edits in {t_loop:.2f} s = {res['loop_edits_per_s']:.1f} edits/s")

    t = time.perf_counter()
    many = lm.edit_many(model, "lora", reqs, cfg, chunk_size=args.chunk)
    t_many = time.perf_counter() - t
    res["batched_edits_per_s"] = len(reqs) / t_many
    print(f"edit_many:     {len(reqs)} edits in {t_many:.2f} s = {res['batched_edits_per_s']:.1f} edits/s "
          f"({res['batched_edits_per_s'] / res['loop_edits_per_s']:.1f}x)")

    # identical results: each loop edit vs. the same edit from the batch, on the edited relation
    q = [(r.subject, r.relation) for r in reqs[: args.loop]]
    diff = 0.0
    for i, single in enumerate(singles):
        a = single.distributions(q[i:i + 1], c.domains)[1][0]
        b = many[i].distributions(q[i:i + 1], c.domains)[1][0]
        diff = max(diff, float(np.abs(a - b).max()))
    res["max_abs_difference"] = diff
    print(f"loop vs batch: max |difference| of raw probabilities over the edited relation: {diff:.1e}")

    # scoring every edit's own request in one batched call
    t = time.perf_counter()
    ids = np.arange(len(reqs))
    norm, _ = many.distributions(ids, [(r.subject, r.relation) for r in reqs], c.domains)
    t_score = time.perf_counter() - t
    success = np.mean([c.domains[r.relation][int(np.argmax(p))] == r.obj for r, p in zip(reqs, norm)])
    res["success"] = float(success)
    print(f"scored all {len(reqs)} edits' distributions in one call: {t_score:.2f} s; "
          f"requested object is the argmax in {success:.1%}")
    # other facts of the edited subject (same subject, other relations): does greedy generation keep them?
    truth = {(f.subject, f.relation): f for f in c.train_facts}
    rows, others = [], []
    for i, r in enumerate(reqs):
        for rel in c.domains:
            if rel != r.relation and (r.subject, rel) in truth:
                rows.append(i)
                others.append(truth[(r.subject, rel)])
    kept_before = model.fact_correct(others)
    kept_after = many.fact_correct(rows, others)
    res["other_facts_kept"] = float((kept_after[kept_before]).mean()) if kept_before.any() else float("nan")
    print(f"same subject, other relations: {kept_before.mean():.1%} correct before, "
          f"{res['other_facts_kept']:.1%} of those still correct after the edit")
    return res


if __name__ == "__main__":
    main()
