"""Stage ``corpus``: render the world's evidence as documents (``RUN/corpus``)."""

from __future__ import annotations

import dataclasses

from ..stage import Context, Stage

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ...corpus.write import write_corpus
    from ...world.store import load_world, world_name

    path = ctx.run / "world" / "world.json"
    world = load_world(path)
    c = ctx.settings.corpus
    write_corpus(world, ctx.run / "corpus", seed=world.seed, **c.layout(), world_name=world_name(path),
                 world_options={"n_subjects": len(world.subjects), **world.options.to_dict()}, quiet=ctx.quiet)


STAGE = Stage("corpus", ("world",), ("world/world.json",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
              lambda s: dataclasses.asdict(s.corpus), _run,
              "pipeline stage: render the world's evidence as the corpus (RUN/corpus)")
