"""ROME and MEMIT per edited layer on a trained run's LM: efficacy and locality on tuning requests.

Requests are drawn about the run's tuning people (``bridges.tuning_people``, whom the run's reported requests
never edit) at their own seed (``--seed``, default 1001), as the benchmark draws them (``bridges.sample_requests``: half with
downstream implications). Each request is edited independently (``lm.edit_many``) by every setting:

- ``P(o*)``: the requested object's probability after the edit (normalised over its relation's domain);
- ``success``: the requested object is the LM's top answer;
- ``others``: other people's accuracy after the edit (the LM's top answer equals the rational agent's),
  3 other subjects at the edited relation and 3 at other relations per request, as the benchmark's
  ``other_subject_*`` cases draw them; ``before``: the unedited LM on the same pairs;
- ``kept``: of the edited subject's other relations, the share whose top answer did not move;
- ``agent``: with ``--teacher``, of the edited subject's other relations, the share whose top answer is the
  rational agent's after the edit (``bayes``); the teacher methods (``memit_rational``, ``rational``) are
  taught those beliefs (``bridges.Teacher``, 8 anchors);
- ``s/edit``: wall time of the batched edits divided by their number (``memit, joint N``: N requests per
  ``lm.edit`` update, each request scored on the model that inserted it).

The key statistics are estimated once (``--stats``: read if there, else estimated and saved there).
Printed: one table row per setting; saved: a plot of P(o*) and other people's accuracy against the
(last) edited layer (``--out``), and the rows as JSON (``--json``).

    python benchmarks/bench_rome_layers.py --run runs/default --stats runs/default/stats
    python benchmarks/bench_rome_layers.py --run runs/default --requests-file runs/default/requests/requests.json \\
        --rome 0 --memit 0 --mom2 1e4 --lora
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _ranges(text: str) -> list[tuple[int, ...]]:
    return [tuple(_ints(r)) for r in text.split(";") if r.strip()]


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def other_pairs(world, requests, seed: int, k: int = 3) -> list[list[tuple[str, str]]]:
    """Per request, ``k`` other subjects at the edited relation and ``k`` at random other relations."""
    rels = list(world.graph.relations)
    out = []
    for i, r in enumerate(requests):
        rng = np.random.default_rng([seed, i, 7])
        subjects = [s for s in world.subjects if s != r.subject]
        picks = rng.choice(len(subjects), size=2 * k, replace=False)
        others = [x for x in rels if x != r.relation]
        out.append([(subjects[j], r.relation) for j in picks[:k]]
                   + [(subjects[j], others[int(rng.integers(len(others)))]) for j in picks[k:]])
    return out


class _Joint:
    """MEMIT's joint updates: request i answered by the model that inserted its group (``size`` requests)."""

    def __init__(self, model, requests, config, size: int):
        import lm

        self.size = size or len(requests)
        self.models = [lm.edit(model, "memit", requests[i:i + self.size], config)
                       for i in range(0, len(requests), self.size)]

    def distributions(self, ids, queries, domains):
        ids, queries = list(ids), list(queries)
        out = [None] * len(queries)
        for g, m in enumerate(self.models):
            rows = [j for j, i in enumerate(ids) if i // self.size == g]
            for j, d in zip(rows, m.distributions([queries[j] for j in rows], domains)[0]):
                out[j] = d
        return out, out


def score(edits, base, requests, agent, world, pairs, taught=None) -> dict:
    """Efficacy and locality of independent edits (an ``lm.EditBatch``) of ``base``; with ``taught`` (the
    requests with the teacher's post-edit beliefs of every other relation), agreement with them."""
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    n = len(requests)
    norm, _ = edits.distributions(range(n), [(r.subject, r.relation) for r in requests], domains)
    target = [list(domains[r.relation]).index(r.obj) for r in requests]
    p = np.array([d[t] for d, t in zip(norm, target)])
    success = np.array([int(np.argmax(d)) == t for d, t in zip(norm, target)])
    flat = [q for qs in pairs for q in qs]
    ids = [i for i, qs in enumerate(pairs) for _ in qs]
    ref = [int(np.argmax(d)) for d in agent.distributions(flat)[0]]
    after = [int(np.argmax(d)) for d in edits.distributions(ids, flat, domains)[0]]
    before = [int(np.argmax(d)) for d in base.distributions(flat, domains)[0]]
    own = [(r.subject, x) for r in requests for x in world.graph.relations if x != r.relation]
    own_ids = [i for i, r in enumerate(requests) for x in world.graph.relations if x != r.relation]
    kept = np.mean([int(np.argmax(a)) == int(np.argmax(b)) for a, b in
                    zip(edits.distributions(own_ids, own, domains)[0], base.distributions(own, domains)[0])])
    out = {"p_requested": float(p.mean()), "success": float(success.mean()),
           "others_after": float(np.mean(np.equal(after, ref))), "others_before": float(np.mean(np.equal(before, ref))),
           "subject_kept": float(kept)}
    if taught is not None:
        pairs_t = [(i, q, max(t, key=t.get)) for i, r in enumerate(taught) for q, t in r.targets.items()]
        got = edits.distributions([i for i, _, _ in pairs_t], [q for _, q, _ in pairs_t], domains)[0]
        out["subject_vs_agent"] = float(np.mean([domains[q[1]][int(np.argmax(d))] == top
                                                 for (_, q, top), d in zip(pairs_t, got)]))
    return out


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", default="runs/default", help="a finished run directory (world, corpus, fit, train)")
    p.add_argument("--stats", default=None, help="key statistics directory (default: RUN/stats; estimated if missing)")
    p.add_argument("--tokens", type=int, default=200_000, help="corpus tokens for the key statistics")
    p.add_argument("--requests", type=int, default=200, help="tuning requests drawn at --seed")
    p.add_argument("--seed", type=int, default=1001, help="request seed (not the run's)")
    p.add_argument("--tuning-share", type=float, default=0.25,
                   help="requests are drawn about the tuning people (bridges.tuning_people, the run's [evaluate] "
                        "tuning_share: default %(default)s), whom the run's reported requests never edit")
    p.add_argument("--requests-file", default=None, help="edit these requests instead (a requests.json)")
    p.add_argument("--rome", default="0,1,2", help="ROME layers, comma-separated ('' for none)")
    p.add_argument("--memit", default="0;0,1;1,2;0,1,2", help="MEMIT layer ranges, ';'-separated ('' for none)")
    p.add_argument("--mom2", default="1e4", help="MEMIT mom2_weight values, comma-separated")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a config field for the methods that have it (steps, lr, contexts, kl_weight, "
                        "weight_decay, clamp, bf16, target_weight), e.g. --set lr=1.0, or for one method, "
                        "e.g. --set memit.clamp=0.75; repeatable")
    p.add_argument("--joint-only", action="store_true", help="with --joint: leave out the independent MEMIT rows")
    p.add_argument("--joint-size", type=int, default=0, help="with --joint: requests per update (0: all)")
    p.add_argument("--lora", action="store_true", help="also lora (its defaults), for comparison")
    p.add_argument("--joint", action="store_true", help="also MEMIT with many requests in one update (lm.edit; see --joint-size)")
    p.add_argument("--teacher", action="store_true",
                   help="also memit_rational (first MEMIT range and mom2) and rational, taught by the rational agent")
    p.add_argument("--chunk", type=int, default=256, help="edits optimised together")
    p.add_argument("--out", default="rome_layers.png", help="plot file ('' for none)")
    p.add_argument("--json", default=None, help="write the rows here")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)

    import torch

    import bridges
    import lm

    if args.threads:
        torch.set_num_threads(args.threads)
    run = Path(args.run)
    world = bridges.load_world(run / "world" / "world.json")
    agent = bridges.BayesBeliever(bridges.load_posterior(run), "bayes")
    model = lm.load(run / "train")
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    if args.requests_file:
        data = json.loads(Path(args.requests_file).read_text())
        requests = [bridges.EditRequest(**r) for r in data["requests"]]
    else:
        believer = bridges.LMBeliever(model, domains)
        draw = bridges.EvaluateConfig(n_requests=args.requests, seed=args.seed, implication_share=0.5)
        tuning = bridges.tuning_people(world, args.tuning_share)  # the run's reported requests never edit them
        requests = bridges.sample_requests(world, believer, draw, agent, subjects=tuning)
    overrides = {}
    for item in args.set:
        field, _, value = item.partition("=")
        overrides[field] = json.loads(value.lower()) if value.lower() in ("true", "false") else float(value)
        if field.rpartition(".")[2] in ("steps", "contexts"):
            overrides[field] = int(overrides[field])
    rome_layers, memit_ranges = _ints(args.rome), _ranges(args.memit)
    layers = sorted({*rome_layers, *(i for r in memit_ranges for i in r)})
    stats_dir = Path(args.stats) if args.stats else run / "stats"
    try:
        stats = lm.load_key_statistics(stats_dir, model)
        if not set(layers) <= set(stats.layers):
            raise lm.CheckpointError(f"{stats_dir} lacks layers {sorted(set(layers) - set(stats.layers))}")
        print(f"key statistics: {stats_dir} ({stats.n_tokens:,} tokens, layers {list(stats.layers)})")
    except lm.CheckpointError as err:
        print(f"key statistics: estimating ({err})")
        t = time.perf_counter()
        stats = lm.key_statistics(model, run / "corpus", layers, max_tokens=args.tokens)
        stats.save(stats_dir)
        print(f"  {stats.n_tokens:,} tokens, layers {list(stats.layers)}: {time.perf_counter() - t:.1f} s, saved "
              f"in {stats_dir}")
    model = model.with_key_statistics(stats)
    pairs = other_pairs(world, requests, args.seed)
    def config(method, cls, **fields):  # the class's defaults, its fields among --set, then ``fields``
        mine = {k.partition(".")[2] or k: v for k, v in overrides.items()
                if "." not in k or k.startswith(method + ".")}
        return cls(**{**{k: v for k, v in mine.items() if k in cls.__dataclass_fields__}, **fields})

    settings = [("rome", config("rome", lm.RomeConfig, layer=i)) for i in rome_layers]
    settings += [("memit", config("memit", lm.MemitConfig, layers=r, mom2_weight=w))
                 for r in memit_ranges for w in _floats(args.mom2)]
    taught = None
    if args.teacher:
        t = time.perf_counter()
        teacher = bridges.Teacher(agent, world.subjects, list(world.graph.relations), bridges.TeacherSettings())
        taught = [teacher.teach(r, seed=i) for i, r in enumerate(requests)]
        print(f"teacher: {len(taught)} requests taught in {time.perf_counter() - t:.1f} s")
        settings.append(("memit_rational", config("memit_rational", lm.MemitRationalConfig, layers=memit_ranges[0],
                                                  mom2_weight=_floats(args.mom2)[0])))
        settings.append(("rational", lm.RationalEditConfig()))
    if args.lora:
        settings.append(("lora", lm.LoraEditConfig()))
    print(f"{len(requests)} requests ({'from ' + args.requests_file if args.requests_file else f'seed {args.seed}'}), "
          f"threads {torch.get_num_threads()}, overrides {overrides or 'none'}")
    if args.joint:
        joint = [(f"memit, joint {args.joint_size or len(requests)}", cfg) for m, cfg in settings if m == "memit"]
        settings = [x for x in settings if x[0] != "memit" or not args.joint_only] + joint
    agent_column = "  agent" if taught else ""
    head = (f"{'method':<15}{'layers':<8}{'mom2':>6}{'ctx':>4}{'kl':>7}{'steps':>6}{'P(o*)':>7}{'success':>8}"
            f"{'others':>15}{'kept':>7}" + agent_column + f"{'s/edit':>8}")
    print(head)
    print("-" * len(head))
    rows = []
    for method, cfg in settings:
        t = time.perf_counter()
        if "joint" in method:  # one edited model per group of requests
            edits = _Joint(model, requests, cfg, args.joint_size)
        else:
            given = taught if lm.get_edit_method(method).teacher else requests
            edits = lm.edit_many(model, method, given, cfg, chunk_size=args.chunk)
        elapsed = time.perf_counter() - t
        row = {"method": method, "config": dataclasses.asdict(cfg),
               **score(edits, model, requests, agent, world, pairs, taught),
               "seconds_per_edit": elapsed / len(requests), "n_requests": len(requests)}
        row["layers"] = list(cfg.edited_layers(model.model.config.num_hidden_layers)) if hasattr(cfg, "edited_layers") \
            else None
        rows.append(row)
        lay = ",".join(map(str, row["layers"])) if row["layers"] else "all"
        mom2 = f"{cfg.mom2_weight:.0e}" if hasattr(cfg, "mom2_weight") else "-"
        value = (f"{cfg.contexts:>4}{cfg.kl_weight:>7.4g}{cfg.steps:>6}" if hasattr(cfg, "kl_weight")
                 else f"{'-':>4}{'-':>7}{cfg.steps:>6}")
        print(f"{method:<15}{lay:<8}{mom2:>6}{value}{row['p_requested']:>7.3f}{row['success']:>8.3f}"
              f"{row['others_before']:>7.3f} -> {row['others_after']:.3f}{row['subject_kept']:>7.3f}"
              f"{format(row['subject_vs_agent'], '>7.3f') if taught else ''}{row['seconds_per_edit']:>8.3f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    if args.out:
        plot(rows, args.out)
    return rows


KEYS = {"p_requested": "mean P(requested object)", "others_after": "other people's accuracy",
        "subject_kept": "subject's other answers kept"}


def plot(rows: list[dict], path: str) -> None:
    """P(o*), other people's accuracy and the subject's kept answers against the (last) edited layer, one line
    per method and setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    lines: dict[str, list] = {}
    for r in rows:
        if r["layers"] is None or "joint" in r["method"]:
            continue
        span = len(r["layers"])
        label = r["method"] if r["method"] == "rome" else f"{r['method']}, {span} layer{'s' * (span > 1)}, " \
            f"mom2 {r['config']['mom2_weight']:.0e}"
        lines.setdefault(label, []).append(r)
    for label, rs in lines.items():
        x = [r["layers"][-1] for r in rs]
        for ax, key in zip(axes, KEYS):
            ax.plot(x, [r[key] for r in rs], "o-", label=label)
    for r, style in zip([r for r in rows if r["layers"] is None], ("--", "-.", ":")):  # lora, rational: all layers
        for ax, key in zip(axes, KEYS):
            ax.axhline(r[key], color="grey", ls=style, label=f"{r['method']} (every layer)")
    if rows:
        axes[1].axhline(rows[0]["others_before"], color="black", lw=0.8, label="unedited")
    for ax, key in zip(axes, KEYS):
        ax.set(xlabel="edited layer (MEMIT: the last of its range)", ylabel=KEYS[key])
        ax.set_xticks(sorted({r["layers"][-1] for r in rows if r["layers"]}))
    axes[0].set_ylim(0, 1)
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
