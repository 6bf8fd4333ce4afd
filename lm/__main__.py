"""``python -m lm train --corpus DIR --out DIR [--preset tiny] [--set key=value ...]``.

The same command runs under ``torchrun`` (``torchrun --standalone --nproc_per_node 2 -m lm train ...``):
every process trains its slice of each batch with DistributedDataParallel. The toolkit's main command
line is ``python -m bridges train``, which calls :func:`lm.train_from_corpus` as this does.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys


def _value(text: str):
    if text.lower() in ("true", "false"):  # TOML/JSON spelling as well as Python's
        return text.lower() == "true"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a model from scratch on a corpus directory (resumable)")
    train.add_argument("--corpus", required=True, help="directory with corpus.jsonl and metadata.json")
    train.add_argument("--out", required=True, help="output directory (checkpoint/, model/, metrics.json)")
    train.add_argument("--preset", default="tiny", help="model size: tiny, small or paper")
    train.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    train.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                       help="TrainConfig/ModelConfig overrides, e.g. epochs=3 progress=False (values read as "
                            "Python literals, true/false as booleans; a value of the wrong type is refused)")
    args = parser.parse_args(argv)

    import lm  # after argument parsing: --help stays fast

    overrides = {}
    for item in args.set:
        key, sep, val = item.partition("=")
        if not sep:
            parser.error(f"--set expects KEY=VALUE, got {item!r}")
        overrides[key] = _value(val)
    try:
        metrics = lm.train_from_corpus(args.corpus, args.out, args.preset, device=args.device, **overrides)
    except lm.LMError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    keys = ("train_fact_accuracy", "heldout_fact_accuracy", "tokens_per_s", "wall_time_s", "n_params")
    print(json.dumps({k: metrics[k] for k in keys}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
