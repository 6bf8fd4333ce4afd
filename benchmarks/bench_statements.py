"""Is the LM's logical incoherence a data effect? Sweep the corpus's statement rates and measure the checks.

For each rate multiplier m, the default world is sampled with ``statements_per_subject`` and
``connectives_per_subject`` times m (the corpus's true/false and connective sentences), the LM is trained on
its corpus and the rational agent fitted; then, before any edit, the LM's sentence probabilities are
checked (``coherence.check_axioms``: negation, and/or, implication, contradiction...) on sentences about
``--people`` people of the world, with the graded share of the agent's beliefs (largest probability in
[0.2, 0.9]) that a richer corpus may shrink::

    python benchmarks/bench_statements.py --runs runs/statements --rates 1 4 10 [--config base.toml]

Each rate is a run directory under ``--runs`` (stages up to train; rerunning skips what is done).
"""

import argparse
import json
from pathlib import Path

import numpy as np

import bridges


def logic_probe(world, believer, reference, people: int, seed: int) -> dict:
    """Mean violation of every check on sentences about ``people`` people: for each, the reference's top
    object of two linked relations and of a third relation (atoms, their negations and pairs)."""
    from coherence import Atom, axiom_queries, check_axioms

    g = world.graph
    rng = np.random.default_rng(seed)
    bases, pairs = [], []
    for _ in range(people):
        s = world.subjects[int(rng.integers(len(world.subjects)))]
        u, c = list(g.edges)[int(rng.integers(len(g.edges)))]
        atoms = []
        for r in (u, c):
            p = reference.distributions([(s, r)])[0][0]
            atoms.append(Atom(s, r, g.domain(r)[int(np.argmax(p))]))
        pairs.append((len(bases), len(bases) + 1))
        bases += atoms
    asked = axiom_queries(bases, pairs)
    lookup = dict(zip(asked, believer.sentence_probabilities(asked)))
    report = check_axioms(bases, prob_many=lambda ss: [lookup[x] for x in ss], pairs=pairs,
                          domains={r: g.domain(r) for r in g.relations})
    return {name: {"mean": c.mean_violation, "count": c.count} for name, c in report.checks.items() if c.count}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default="runs/statements", help="a run directory per rate under this (default: %(default)s)")
    ap.add_argument("--config", default=None, help="a base TOML config (the default run's settings otherwise)")
    ap.add_argument("--rates", type=float, nargs="+", default=[1, 4, 10], help="multipliers of the statement rates")
    ap.add_argument("--people", type=int, default=300, help="people whose sentences are checked (default: %(default)s)")
    ap.add_argument("--json", default=None, help="also write the table here")
    args = ap.parse_args(argv)

    base = bridges.load_config(args.config)
    spec = base.validate().spec
    rows = []
    for m in args.rates:
        stmts = spec.options.statements_per_subject * m
        conn = spec.options.connectives_per_subject * m
        config = base.merged({"world": {"statements_per_subject": stmts, "connectives_per_subject": conn}},
                             f"rate x{m:g}")
        settings = config.validate()
        run = Path(args.runs) / f"x{m:g}"
        for stage in ("world", "corpus", "fit", "train"):
            bridges.run_stage(stage, run, settings, quiet=True)
        world = bridges.load_world(run / "world" / "world.json")
        post = bridges.load_posterior(run)
        import lm

        domains = {r: world.graph.domain(r) for r in world.graph.relations}
        reference = bridges.BayesBeliever(post)
        checks = logic_probe(world, bridges.LMBeliever(lm.load(run / "train"), domains), reference, args.people, 0)
        agent = logic_probe(world, reference, reference, args.people, 0)
        q = [(s, r) for s in world.subjects for r in world.graph.relations]
        top = np.array([float(np.max(d)) for d in reference.distributions(q)[0]])
        metrics = json.loads((run / "train" / "metrics.json").read_text())
        meta = json.loads((run / "corpus" / "metadata.json").read_text())
        row = {"rate": m, "statements_per_subject": stmts, "connectives_per_subject": conn,
               "sentences": meta["counts"]["sentences"], "graded_share": float(np.mean((top >= 0.2) & (top < 0.9))),
               "train_fact_accuracy": metrics["train_fact_accuracy"], "lm": checks,
               "agent_max": max(v["mean"] for v in agent.values())}
        rows.append(row)
        print(f"x{m:g}: {stmts:g} true/false and {conn:g} connective statements per person; "
              f"{row['sentences']:,} sentences; graded share {row['graded_share']:.3f}; training facts "
              f"{row['train_fact_accuracy']:.3f}; LM violations: "
              + ", ".join(f"{k} {v['mean']:.3f}" for k, v in checks.items())
              + f"; the agent's largest {row['agent_max']:.1e}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
