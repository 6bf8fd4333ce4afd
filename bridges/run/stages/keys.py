"""Stage ``keys``: the key statistics ``E[k k^T]`` of the trained LM's MLP keys that the locate-and-edit methods
(``rome``, ``memit``, ``memit_rational``, any method registered with ``key_layers``) read, estimated once from
the corpus (``RUN/keys/stats``). A run whose methods read none writes nothing here."""

from __future__ import annotations

from ..stage import Context, Stage
from ._shared import plain

__all__ = ["STAGE", "key_methods"]


def key_methods(settings) -> dict:
    """The configs of the methods the run uses (``[evaluate]``, and ``[sequential]`` unless it edits nothing) whose
    registration reads key statistics, by name."""
    import lm

    from ..config import methods_in_use

    return {m: settings.edit[m] for m in methods_in_use(settings.evaluate, settings.sequential)
            if lm.get_edit_method(m).key_layers is not None}


def _run(ctx: Context) -> None:
    import shutil
    import time

    import lm

    from ._shared import load_model

    out = ctx.run / "keys" / "stats"
    methods = key_methods(ctx.settings)
    if not methods:
        shutil.rmtree(out, ignore_errors=True)
        ctx.say("keys: no method of this run reads key statistics")
        return
    model = load_model(ctx.run, ctx.settings)
    n_layers = model.model.config.num_hidden_layers
    layers = sorted({i for m, c in methods.items() for i in lm.get_edit_method(m).key_layers(c, n_layers)})
    t = time.perf_counter()
    lm.key_statistics(model, ctx.run / "corpus", layers).save(out)
    ctx.say(f"keys: key statistics of layers {layers} for {', '.join(methods)} ({time.perf_counter() - t:.1f} s)")


def _settings(s) -> dict:
    return {"methods": {m: plain(c) for m, c in key_methods(s).items()}, "device": s.run.resolved_device()}


STAGE = Stage("keys", ("train",), ("train/model", "corpus/corpus.jsonl"), ("keys/stats",), _settings, _run,
              "pipeline stage: the key statistics the locate-and-edit methods (rome, memit) read (RUN/keys)")
