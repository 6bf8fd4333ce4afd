"""Stage 7, ``report``: print the results table and write the plots (``RUN/report``)."""

from __future__ import annotations

import dataclasses
import json

from ..._io import atomic_write_text
from ..stage import Context, Stage

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ..report import render_table, write_plots

    results = json.loads((ctx.run / "evaluate" / "results.json").read_text())
    table = render_table(results)
    (ctx.run / "report").mkdir(parents=True, exist_ok=True)
    atomic_write_text(ctx.run / "report" / "table.txt", table)
    if ctx.settings.report.plots:
        traces = json.loads((ctx.run / "evaluate" / "traces.json").read_text())
        write_plots(results, traces, ctx.run / "report")
    ctx.say(table)


STAGE = Stage("report", ("evaluate",), ("evaluate/results.json", "evaluate/traces.json"), ("report",),
              lambda s: dataclasses.asdict(s.report), _run,
              "pipeline stage 7: print the results table and write the plots (RUN/report)")
