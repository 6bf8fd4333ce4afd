"""Stage ``train``: train the LM on the corpus (``RUN/train``); resumes from its checkpoint."""

from __future__ import annotations

import dataclasses
import shutil

from ..config import PipelineError
from ..stage import Context, Stage
from ._shared import plain

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    import lm

    from ...corpus.read import verify_corpus

    verify_corpus(ctx.run / "corpus")  # the input loads before any old work is discarded
    out = ctx.run / "train"
    if ctx.fresh:
        for stale in ("checkpoint", "checkpoint.old", "checkpoint.tmp"):
            shutil.rmtree(out / stale, ignore_errors=True)
    ctx.mark_started()
    t = ctx.settings.train
    config = dataclasses.replace(t.config, progress=False) if ctx.quiet else t.config
    try:
        metrics = lm.train_from_corpus(ctx.run / "corpus", out, preset=t.preset, config=config,
                                       device=ctx.settings.run.device, **t.model_overrides)
    except lm.CheckpointError as err:
        raise PipelineError(f"train: {err}; to start training over, run `python -m bridges train --run "
                            f"{ctx.run} --force`") from None
    ctx.say(f"train: {t.preset} LM, accuracy on training facts {metrics['train_fact_accuracy']:.3f}, "
            f"held-out facts {metrics['heldout_fact_accuracy']:.3f}")


def _settings(s) -> dict:
    train = {k: v for k, v in plain(s.train.config).items() if k not in ("progress", "threads")}
    return {"preset": s.train.preset, "model": plain(s.train.model), "train": train, "device": s.run.resolved_device()}


STAGE = Stage("train", ("corpus",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
              ("train/model", "train/metrics.json"), _settings, _run,
              "pipeline stage: train the LM on the corpus (RUN/train); resumes from its checkpoint")
