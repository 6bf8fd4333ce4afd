"""A user-defined edit method: one function and one registration; the benchmark then runs it by name.

The method fine-tunes one layer's MLP down-projection with lm's public building blocks (a trainable copy
of the weights, the edit objective, the optimiser), leaving the model it is given untouched. From the
command line, import this module in every process and list the method::

    python -m bridges run --import examples.custom_edit --methods lora down_ft --run runs/custom_edit
    python examples/custom_edit.py --run /tmp/x --tiny         # the same from Python, a smoke test in seconds
"""

import argparse
from dataclasses import dataclass
from pathlib import Path

import lm


@dataclass(frozen=True)
class DownFTConfig:
    """Fine-tune one decoder layer's MLP down-projection."""

    layer: int = -1  # which decoder layer (negative counts from the top)
    lr: float = 1e-3  # AdamW learning rate
    steps: int = 20  # optimizer steps
    bf16: bool | None = None  # train under bf16 autocast (None: where the CPU or GPU computes bf16 natively)


@lm.register_edit_method("down_ft", DownFTConfig)
def down_ft(model, requests, config):
    weights = lm.trainable_copy(model)  # the model we were given stays as it is
    layers = weights.model.layers
    if not -len(layers) <= config.layer < len(layers):
        raise lm.LMError(f"DownFTConfig.layer {config.layer} out of range for a {len(layers)}-layer model")
    weights.requires_grad_(False)
    down = layers[config.layer].mlp.down_proj.weight.requires_grad_(True)
    loss = lm.edit_objective(model, requests, weights, bf16=lm.train_bf16(model, config))
    lm.optimize([down], loss, config.lr, config.steps)
    return model.with_weights(weights.eval().requires_grad_(False))


TINY = {
    "world": {"name": "tiny", "n_subjects": 20},
    "corpus": {"shuffles": 1},
    "train": {"epochs": 2, "progress": False, "compile": False,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"steps": 4}, "down_ft": {"steps": 4}},
    "evaluate": {"n_requests": 4, "methods": ["lora", "down_ft"], "rules": ["bayes"]},
    "sequential": {"n_edits": 0},
    "report": {"trace_requests": 1, "trace_points": 3},
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/custom_edit", help="run directory (default: %(default)s)")
    ap.add_argument("--tiny", action="store_true", help="tiny world and micro LM (smoke test)")
    args = ap.parse_args(argv)

    import bridges

    sections = TINY if args.tiny else {"evaluate": {"methods": ["lora", "down_ft"]}}
    results = bridges.run_pipeline(args.run, bridges.RunConfig().merged(sections, "custom_edit.py"), quiet=args.tiny)
    p = results["summary"]["groups"]["all"]["agents"]
    print(f"P(requested object) after the edit: lora {p['lm:lora']['p_requested']['post']['mean']:.3f}, "
          f"down_ft {p['lm:down_ft']['p_requested']['post']['mean']:.3f}; table in {Path(args.run) / 'report'}")


if __name__ == "__main__":
    main()
