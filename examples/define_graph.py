"""A new dependency graph from scratch, end to end: world, corpus, LM, edits, report.

This file is both a graph file (it defines ``graph`` and ``WORLD``, so ``--world examples/define_graph.py``
works with every ``python -m bridges`` stage) and a script that runs the whole pipeline on it::

    python examples/define_graph.py --run runs/my_graph            # full size: a few minutes on 2 cores
    python examples/define_graph.py --run /tmp/x --tiny            # seconds: a micro LM, 3 edit requests

The graph: what a musician plays depends on their genre and their country; their label on the genre.
"""

import argparse
from pathlib import Path

import networkx as nx

import rational

g = nx.DiGraph()
g.add_node("country of citizenship", domain=["Ireland", "Mali", "Trinidad and Tobago", "Cuba", "Norway"])
g.add_node("genre", domain=["jazz", "rhythm and blues", "folk", "salsa", "black metal", "calypso"])
g.add_node("instrument", domain=["piano", "guitar", "kora", "steelpan", "fiddle", "drums", "trumpet"],
           concentration=0.5)  # a sparser Dirichlet prior: each genre/country has a few instruments
g.add_node("record label", domain=["Blue Note", "Island Records", "World Circuit", "Nonesuch", "Peaceville"])
g.add_edges_from([("country of citizenship", "genre"), ("genre", "instrument"),
                  ("country of citizenship", "instrument"), ("genre", "record label")])
graph = rational.RelationGraph(g)  # checks the DAG, the domains and the concentrations

WORLD = dict(n_subjects=300, eps=0.05, held_out_rate=0.1, truth_concentration=0.3)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/define_graph", help="run directory (default: %(default)s)")
    ap.add_argument("--tiny", action="store_true", help="a micro LM, few subjects and requests (smoke test)")
    args = ap.parse_args(argv)

    import bridges

    sections = {"world": {"name": str(Path(__file__).resolve())}, "evaluate": {"n_requests": 20}}
    if args.tiny:
        sections = {
            "world": {"name": str(Path(__file__).resolve()), "n_subjects": 30},
            "corpus": {"shuffles": 1},
            "train": {"epochs": 2, "progress": False, "compile": False,  # compiling pays off on long runs only
                      "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
            "evaluate": {"n_requests": 3, "methods": ["lora", "context"], "rules": ["bayes", "jeffrey"]},
            "edit": {"lora": {"steps": 3}},
            "sequential": {"n_edits": 4, "checkpoints": [1, 4], "methods": ["lora"], "batch_methods": []},
            "report": {"trace_requests": 1, "trace_points": 3},
        }
    config = bridges.RunConfig().merged(sections, "define_graph.py")
    bridges.run_pipeline(args.run, config, quiet=args.tiny)
    print(f"results: {Path(args.run) / 'results.json'}; plots and table in {Path(args.run) / 'report'}")


if __name__ == "__main__":
    main()
