"""Stage ``world``: sample the world once (``RUN/world/world.json``), read by every later stage."""

from __future__ import annotations

from ..stage import Context, Stage

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ...world.store import save_world

    spec = ctx.settings.spec
    world = spec.sample(ctx.settings.world.seed)
    save_world(world, ctx.run / "world" / "world.json", name=spec.name)
    n_facts = len(world.subjects) * len(world.graph)
    ctx.say(f"world: {spec.name}, {len(world.subjects)} subjects x {len(world.graph)} relations = {n_facts} facts")


def _settings(s) -> dict:
    # a graph file's content, and every file it read while it ran (a domains.json beside it, say), are part of
    # the stamp: editing either re-runs the world and all after it
    return {"name": s.spec.name, "seed": s.world.seed, "settings": s.spec.settings(), "sources": s.spec.sources()}


STAGE = Stage("world", (), (), ("world/world.json",), _settings, _run,
              "pipeline stage: sample the world (RUN/world/world.json)")
