"""The rational edit method: teach the LM an edit together with the beliefs that follow from it.

Edits one fact with downstream implications three ways, the rational agent (``bayes``), plain LoRA and
the ``rational`` method (LoRA trained toward the agent's post-edit beliefs), and prints, for each of the
subject's downstream relations, the probability each gives the rational agent's new top answer::

    python examples/rational_edit.py --run runs/default            # after `python -m bridges run`
    python examples/rational_edit.py --run /tmp/x --tiny           # smoke test: tiny world, micro LM

Without a finished run in ``--run`` the stages up to ``fit`` run first (training included).
"""

import argparse
from pathlib import Path

import numpy as np

TINY = {
    "world": {"name": "tiny", "n_subjects": 24},
    "corpus": {"shuffles": 2},
    "train": {"epochs": 2, "progress": False, "compile": False, "batch_size": 8,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"steps": 4}, "rational": {"steps": 4}},
    "evaluate": {"n_requests": 2, "methods": ["lora", "rational"], "rules": ["bayes"]},
    "sequential": {"n_edits": 0},
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/default", help="run directory (default: %(default)s)")
    ap.add_argument("--config", default=None, help="the run's TOML config, if it has one")
    ap.add_argument("--tiny", action="store_true", help="tiny world and micro LM (smoke test)")
    ap.add_argument("--seed", type=int, default=0, help="which request with implications to edit")
    args = ap.parse_args(argv)

    import bridges

    config = bridges.load_config(args.config)
    if args.tiny:
        config = config.merged(TINY, "rational_edit.py --tiny")
    run = Path(args.run)
    settings = config.validate()
    for stage in ("world", "corpus", "fit", "train"):
        bridges.run_stage(stage, run, settings, quiet=True)
    world, references, agents = bridges.load_agents(run, settings)
    agent = bridges.BayesBeliever(next(iter(references.values())).posterior, "bayes")
    lora = agents.get("lm:lora") or bridges.LMBeliever(agents["lm:rational"].model, agents["lm:rational"].domains)
    rational_lm = agents["lm:rational"]
    request = bridges.sample_requests(world, lora, bridges.EvaluateConfig(n_requests=1, implication_share=1.0,
                                                                         seed=args.seed), agent)[0]
    s = request.subject
    import networkx as nx

    down = [r for r in world.graph.relations if r in nx.descendants(world.graph, request.relation)]
    queries = [(s, r) for r in down]
    after = agent.edit(request)
    edited = {"lora": lora.edit(request, seed=args.seed), "rational": rational_lm.edit(request, seed=args.seed)}
    before_lm = lora.distributions(queries)[0]
    pre, post = agent.distributions(queries)[0], after.distributions(queries)[0]
    lm_post = {m: e.distributions(queries)[0] for m, e in edited.items()}
    print(f"edit: {request.text} (before: the rational agent gave it "
          f"{agent.distributions([(s, request.relation)])[0][0][world.graph.object_index(request.relation, request.obj)]:.3f})")
    print(f"the rational agent's new top answer for each downstream relation, and each agent's probability of it:")
    head = f"  {'relation':<24}{'new top answer':<30}{'rational':>18}{'LM':>16}{'lora':>10}{'rational method':>17}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for j, (_, r) in enumerate(queries):
        k = int(np.argmax(post[j]))
        obj = world.graph.domain(r)[k]
        print(f"  {r:<24}{obj:<30.30}{pre[j][k]:>8.3f} -> {post[j][k]:.3f}{before_lm[j][k]:>8.3f} ->"
              f"{lm_post['lora'][j][k]:>10.3f}{lm_post['rational'][j][k]:>17.3f}")
    print("(the rational method is LoRA trained toward the rational agent's post-edit beliefs: the upper bound a "
          "weight edit reaches when the implications are known)")


if __name__ == "__main__":
    main()
