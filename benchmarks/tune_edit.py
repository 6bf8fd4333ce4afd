"""Tune an edit method's settings on the tuning people (never on the requests a table reports).

The requests are drawn at ``--seed`` from the run's tuning people (``bridges.tuning_people``: a fixed share of
the world's people whom the benchmark's reported requests never edit), all with downstream implications by
default, and every combination of the ``--set`` values is evaluated on them with ``bridges.evaluate``::

    python benchmarks/tune_edit.py --run runs/default --method rational --requests 320 \\
        --set lr=5e-3,1e-2 --set steps=25,35 --set target_weight=2.5

Prints, per setting: downstream shift captured (slope against the rational agent, 95% interval), the share
of downstream pairs whose top answer follows, P(o*) after the edit, and other people's accuracy (same and
other relations) before -> after, with the seconds the edits took.
"""

import argparse
import itertools
import json
import time
from pathlib import Path

import bridges
from bridges.bench.summary import summarise


def _values(text: str):
    out = []
    for v in text.split(","):
        try:
            out.append(json.loads(v))
        except json.JSONDecodeError:
            out.append(v)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/default", help="a run with stages up to requests (default: %(default)s)")
    ap.add_argument("--config", default=None, help="the run's TOML config, if it has one")
    ap.add_argument("--import", dest="imports", action="append", default=[], help="a module registering a method")
    ap.add_argument("--method", required=True, help="the edit method to tune")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=V1,V2",
                    help="a config field and the values to try (repeatable: the grid is their product)")
    ap.add_argument("--requests", type=int, default=320, help="tuning requests (default: %(default)s)")
    ap.add_argument("--implication-share", type=float, default=1.0, help="share with implications (default: 1)")
    ap.add_argument("--seed", type=int, default=1, help="request seed among the tuning people (default: 1)")
    ap.add_argument("--chunk", type=int, default=16, help="requests edited together (default: %(default)s)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    config = bridges.load_config(args.config).merged({"run": {"imports": args.imports},
                                                      "evaluate": {"methods": [args.method]}}, "tune_edit.py")
    settings = config.validate()
    run = Path(args.run)
    world, references, agents = bridges.load_agents(run, settings, beliefs=False)
    first_ref = next(iter(references))
    references = {first_ref: references[first_ref]}
    agent = next(iter(agents.values()))
    tuning = bridges.tuning_people(world, settings.evaluate.tuning_share)
    e = bridges.EvaluateConfig(n_requests=args.requests, seed=args.seed, implication_share=args.implication_share,
                               logic_requests=0, other_subjects=settings.evaluate.other_subjects)
    requests = bridges.sample_requests(world, agent, e, references[first_ref], subjects=tuning)
    grid = [(k, _values(v)) for k, v in (s.split("=", 1) for s in args.sets)]
    rows = []
    print(f"tuning {args.method} on {len(requests)} requests about the {len(tuning)} tuning people (seed {args.seed}); "
          f"reference {first_ref}")
    for combo in itertools.product(*[v for _, v in grid]) if grid else [()]:
        overrides = dict(zip([k for k, _ in grid], combo))
        import dataclasses

        b = dataclasses.replace(agent, config=dataclasses.replace(agent.config, **overrides), cache=None)
        t = time.perf_counter()
        records = []
        for start in range(0, len(requests), args.chunk):
            idx = list(range(start, min(start + args.chunk, len(requests))))
            records += bridges.evaluate(world, references, {b.name: b}, [requests[i] for i in idx], idx, e)
        seconds = time.perf_counter() - t
        s = summarise(records)
        down = s["downstream_shift"][b.name][first_ref]
        cases = s["groups"]["all"]["agents"][b.name]["against"][first_ref]
        row = {"settings": overrides, "seconds": seconds, "slope": down["slope"], "follows": down["follows"],
               "p_after": s["groups"]["all"]["agents"][b.name]["p_requested"]["post"],
               "other_same": cases["other_subject_same_relation"]["accuracy"],
               "other_other": cases["other_subject_other_relation"]["accuracy"]}
        rows.append(row)
        sl = row["slope"]
        print(f"  {json.dumps(overrides):<48} slope {sl['mean']:.3f} [{sl['lo']:.2f},{sl['hi']:.2f}]  follows "
              f"{row['follows']['mean']:.2f}  P(o*) {row['p_after']['mean']:.3f}  other people (same / other "
              f"relation) {row['other_same']['post']['mean']:.3f} / {row['other_other']['post']['mean']:.3f} (before "
              f"{row['other_same']['pre']['mean']:.3f} / {row['other_other']['pre']['mean']:.3f})  {seconds:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"method": args.method, "requests": len(requests), "rows": rows},
                                              indent=1))


if __name__ == "__main__":
    main()
