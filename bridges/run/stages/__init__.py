"""The stages of a run, in order, one module each (see :mod:`bridges.run.pipeline`).

========  ===================================  ==================================================
stage     reads                                writes
========  ===================================  ==================================================
world     the world spec (and graph file)      world/world.json
corpus    world/world.json                     corpus/corpus.jsonl, corpus/metadata.json
fit       corpus/                              fit/posterior.json, fit/posterior.npz
train     corpus/                              train/model/, train/metrics.json (+ checkpoint/)
keys      train/model, corpus/                 keys/stats/ (only for methods that read key statistics)
reading     world, train/model, fit            reading/results.json
requests  world, train/model, fit              requests/requests.json, requests/beliefs.npz
evaluate    world, train/model, fit, requests  evaluate/results.json, evaluate/traces.json, results.json
sequential  world, train/model, fit            sequential/results.json
report      evaluate/, sequential/             report/table.txt and the PNG plots
========  ===================================  ==================================================

The agent is fitted before the LM is trained: it takes a second, and with it the pipeline checks that the
world can give the edit requests asked for before an expensive training run (``requests.check_supply``).
"""

from . import corpus, evaluate, fit, keys, reading, report, requests, sequential, train, world

__all__ = ["STAGES", "by_name"]

#: The stages in pipeline order.
STAGES = (world.STAGE, corpus.STAGE, fit.STAGE, train.STAGE, keys.STAGE, reading.STAGE, requests.STAGE, evaluate.STAGE,
          sequential.STAGE, report.STAGE)


def by_name() -> dict:
    """Stage name -> :class:`bridges.run.stage.Stage`, in pipeline order."""
    return {s.name: s for s in STAGES}
