"""Does the run's LM read? In-context belief formation about new people, in-context editing of known people,
and what it memorised, against the rational agent (see :mod:`bridges.bench.in_context`).

    python benchmarks/bench_in_context.py --run runs/default
    python benchmarks/bench_in_context.py --run runs/x --seed 2000 --people 300 --json runs/x/in_context.json

The run directory must hold world/, train/ and fit/ (``python -m bridges fit --run RUN``). In-context
editing uses the run's edit requests (edit/requests.json) when there are, otherwise ``--requests`` drawn
at ``--requests-seed`` (default ``--seed``; ``bridges.sample_requests``, half with downstream implications, as
the edit stage draws them). Tune on one ``--seed``, report on another.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import lm  # noqa: E402
import rational  # noqa: E402

import bridges  # noqa: E402
from bridges.bench.in_context import InContextConfig, belief_formation, in_context_editing  # noqa: E402


def figure(f, digits=3) -> str:
    """'mean [lo, hi]' of a figure dict."""
    if f.get("mean") is None:
        return "n/a"
    if f.get("lo") is None:
        return f"{f['mean']:.{digits}f}"
    return f"{f['mean']:.{digits}f} [{f['lo']:.{digits}f}, {f['hi']:.{digits}f}]"


def requests_of(run: Path, world, model, post, n: int, seed: int, use_run: bool):
    path = run / "edit" / "requests.json"
    if use_run and path.is_file():
        data = json.loads(path.read_text())
        return [bridges.EditRequest(**r) for r in data["requests"]], f"the run's {len(data['requests'])} requests"
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    believer = bridges.LMBeliever(model, domains, "context", lm.ContextEditConfig(repeats=2))
    reqs = bridges.sample_requests(world, believer, bridges.RequestConfig(n, seed, 0.5, 0.5, 0.2),
                                   bridges.BayesBeliever(post))
    return reqs, f"{len(reqs)} requests drawn at seed {seed}"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, type=Path, help="run directory with world/, train/ and fit/")
    ap.add_argument("--people", type=int, default=200, help="new people in the belief-formation probe")
    ap.add_argument("--seed", type=int, default=1000, help="the probe's draws (tune on one, report on another)")
    ap.add_argument("--stated-share", type=float, default=0.3, help="share of a new person's facts stated")
    ap.add_argument("--upstream", type=int, default=2, help="upstream facts added per person (context shift)")
    ap.add_argument("--repeats", type=int, default=2, help="in-context editing: times the request is stated")
    ap.add_argument("--requests", type=int, default=160, help="requests drawn when not taken from the run")
    ap.add_argument("--draw-requests", action="store_true", help="draw requests even if the run has some")
    ap.add_argument("--requests-seed", type=int, help="the seed requests are drawn at (default: --seed; the "
                                                      "edit stage draws at [evaluate] seed, 0)")
    ap.add_argument("--no-knowledge", action="store_true", help="skip memorisation and held-out accuracy")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    world = bridges.load_world(args.run / "world" / "world.json")
    model = lm.load(args.run / "train")
    post = rational.load(args.run / "fit")
    config = InContextConfig(people=args.people, seed=args.seed, stated_share=args.stated_share,
                             upstream_per_person=args.upstream, repeats=args.repeats)
    out = {"run": str(args.run), "config": vars(args) | {"run": str(args.run), "json": str(args.json)}}
    formation = belief_formation(world, model, post, config)
    f = formation["figures"]
    print(f"In-context belief formation: {formation['people']} new people (seed {args.seed}), each fact stated "
          f"with probability {args.stated_share} as one mention drawn through the world's mention model")
    print(f"  unstated relations (n={f['unstated']['mae']['n']}): MAE {figure(f['unstated']['mae'])}, "
          f"top agreement {figure(f['unstated']['agree'])}; without the context: MAE "
          f"{figure(f['no_context']['mae'])}, agreement {figure(f['no_context']['agree'])}")
    print(f"  copy (stated relation asked back, n={f['copy']['lm']['n']}): LM {figure(f['copy']['lm'])}, "
          f"agent {figure(f['copy']['agent'])}, LM - agent {figure(f['copy']['difference'])}; the agent's "
          f"next-mention predictive {figure(f['copy']['agent_mention'])}")
    print(f"  context shift captured ({f['shift']['n']} pairs, {f['shift'].get('clusters')} people): "
          f"{figure(f['shift'])}; against the agent's next-mention predictive {figure(f['shift_mention'])} "
          f"(an exact predictor of mentions: {figure(f['shift_ceiling'])} against beliefs)")
    out["formation"] = f

    rseed = args.seed if args.requests_seed is None else args.requests_seed
    reqs, where = requests_of(args.run, world, model, post, args.requests, rseed, not args.draw_requests)
    editing = in_context_editing(world, model, post, reqs, config)
    e = editing["figures"]
    print(f"In-context editing of known people ({where}, stated {args.repeats} times)")
    print(f"  LM P(o*): {e['lm']['pre']['mean']:.3f} -> {e['lm']['post']['mean']:.3f}, rise "
          f"{figure(e['lm']['delta'])}; agent observe(w={args.repeats}): {e['agent']['pre']['mean']:.3f} -> "
          f"{e['agent']['post']['mean']:.3f}, rise {figure(e['agent']['delta'])}")
    print(f"  other people's accuracy (top = agent's): without the prefix {figure(e['locality']['without'])}, "
          f"with it {figure(e['locality']['with'])}, change {figure(e['locality']['delta'])}; on the edited "
          f"relation {figure(e['locality_same_relation']['delta'])}, on another "
          f"{figure(e['locality_other_relation']['delta'])}")
    out["editing"] = e

    metrics = json.loads((args.run / "train" / "metrics.json").read_text())
    out["train"] = {k: metrics.get(k) for k in ("train_fact_accuracy", "heldout_fact_accuracy", "tokens",
                                                "train_time_s", "wall_time_s", "tokens_per_s", "n_params")}
    if not args.no_knowledge:
        domains = {r: world.graph.domain(r) for r in world.graph.relations}
        known = bridges.knowledge(world, bridges.BayesBeliever(post), bridges.LMBeliever(model, domains, "lora"),
                                  generative=model.fact_correct)
        out["knowledge"] = known
        print(f"Memorised: confident training facts (agent P >= 0.9) greedy "
              f"{figure(known['confident']['agent_generative'])} (n={known['confident']['n']}); held out: top "
              f"{figure(known['held_out']['agent'])}, greedy {figure(known['held_out']['agent_generative'])} "
              f"(agent {figure(known['held_out']['reference'])})")
    print(f"Train stage: {metrics.get('wall_time_s', 0):.0f} s, {metrics.get('tokens', 0):,} tokens "
          f"({metrics.get('tokens_per_s', 0):,.0f}/s); probe {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return out


if __name__ == "__main__":
    main()
