"""Stage ``fit``: fit the rational agent to the corpus, once (``RUN/fit``); every later stage and process
loads it."""

from __future__ import annotations

import dataclasses
import time

from ..stage import Context, Stage

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    import rational

    from ...corpus.read import evidence_from_corpus, file_sha256

    t = time.perf_counter()
    evidence = evidence_from_corpus(ctx.run / "corpus")
    post = rational.fit(evidence, tol=ctx.settings.fit.tol, max_iter=ctx.settings.fit.max_iter)
    post.save(ctx.run / "fit", meta={"corpus_sha256": file_sha256(ctx.run / "corpus" / "corpus.jsonl")})
    how = ("to the fixed point" if post.info.converged else
           f"(not converged: the last step moved a CPT entry by {post.info.change:.1e}; raise [fit] max_iter)")
    ctx.say(f"fit: the rational agent, {post.info.iterations} EM steps {how} ({time.perf_counter() - t:.1f} s); "
            f"saved in {ctx.run / 'fit'}")


STAGE = Stage("fit", ("corpus",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
              ("fit/posterior.json", "fit/posterior.npz"), lambda s: dataclasses.asdict(s.fit), _run,
              "pipeline stage: fit the rational agent to the corpus, once (RUN/fit)")
