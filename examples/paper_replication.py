"""The seed paper's configuration: 100,000 facts over 10 relations, the 83M-parameter LM, rank-1 LoRA.

Needs a GPU or a cluster (training the ``paper`` preset on the ``paper`` corpus is far beyond a laptop);
``--tiny`` runs the same pipeline shape at toy scale for a smoke test::

    python examples/paper_replication.py --run runs/paper                 # GPU
    torchrun --nproc_per_node 8 -m bridges evaluate --dir runs/paper      # evaluation sharded over 8 ranks
    python examples/paper_replication.py --run /tmp/x --tiny               # seconds, CPU

The paper's edit: LoRA of rank 1 on the MLP down-projection, 40 steps, learning rate 1e-4; it evaluated
5,000 edit requests against an exact Bayesian posterior.
"""

import argparse

PAPER = {
    "world": {"name": "paper"},
    "train": {"preset": "paper", "epochs": 20, "batch_size": 256, "bf16": True},
    "edit": {"lora": {"rank": 1, "target_modules": ["down_proj"], "steps": 40, "lr": 1e-4}},
    "evaluate": {"n_requests": 5000, "methods": ["lora", "ft", "context"],
                 "rules": ["bayes", "observe", "jeffrey", "virtual"]},
}

TINY = {
    "world": {"name": "tiny", "n_subjects": 20},
    "corpus": {"shuffles": 1},
    "train": {"epochs": 2, "progress": False, "compile": False,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"rank": 1, "target_modules": ["down_proj"], "steps": 4, "lr": 1e-4}},
    "evaluate": {"n_requests": 2, "methods": ["lora"], "rules": ["bayes"]},
    "sequential": {"n_edits": 0},
    "report": {"trace_requests": 1, "trace_points": 3},
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/paper", help="run directory (default: %(default)s)")
    ap.add_argument("--tiny", action="store_true", help="the same stages at toy scale (smoke test)")
    args = ap.parse_args(argv)

    import bridges

    config = bridges.RunConfig().merged(TINY if args.tiny else PAPER, "paper_replication.py")
    bridges.run_pipeline(args.run, config, quiet=args.tiny)


if __name__ == "__main__":
    main()
