"""A user-defined update rule, registered and benchmarked against Bayesian conditioning.

The rule is one function and one registration; the edit benchmark then runs it by name::

    python examples/custom_rule.py --run runs/custom_rule          # default world, tiny LM
    python examples/custom_rule.py --run /tmp/x --tiny             # smoke test, seconds
"""

import argparse
from pathlib import Path

import rational


@rational.register_rule("halfway")
def halfway(posterior, subject, relation, obj, /):
    """Move halfway from the current belief to certainty in obj (Jeffrey with q = (P + one-hot) / 2)."""
    q = 0.5 * posterior.distribution(subject, relation)
    q[posterior.graph.object_index(relation, obj)] += 0.5
    return rational.update(posterior, "jeffrey", subject, relation, q=q)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/custom_rule", help="run directory (default: %(default)s)")
    ap.add_argument("--tiny", action="store_true", help="tiny world and micro LM (smoke test)")
    args = ap.parse_args(argv)

    import bridges

    sections = {"evaluate": {"rules": ["bayes", "halfway"], "n_requests": 20}}
    if args.tiny:
        sections = {
            "world": {"name": "tiny", "n_subjects": 20},
            "corpus": {"shuffles": 1},
            "train": {"epochs": 2, "progress": False, "compile": False,  # compiling pays off on long runs only
                      "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
            "evaluate": {"n_requests": 3, "methods": ["context"], "rules": ["bayes", "halfway"]},
            "sequential": {"n_edits": 0},
            "report": {"trace_requests": 0},
        }
    config = bridges.RunConfig().merged(sections, "custom_rule.py")
    results = bridges.run_pipeline(args.run, config, quiet=args.tiny)
    p = results["summary"]["groups"]["all"]["reference"]
    print(f"P(requested object) after the edit: bayes {p['bayes:bayes']['p_requested']['post']['mean']:.3f}, "
          f"halfway {p['bayes:halfway']['p_requested']['post']['mean']:.3f} "
          f"(before: {p['bayes:halfway']['p_requested']['pre']['mean']:.3f}); full table in {Path(args.run) / 'report'}")


if __name__ == "__main__":
    main()
