"""Stage ``report``: print the results table and write the plots (``RUN/report``)."""

from __future__ import annotations

import dataclasses
import json

from ..._io import atomic_write_text
from ..stage import Context, Stage

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ..report import render_table, write_plots
    from ..report_reading import plot_in_context
    from ..report_sequential import plot_sequential, render_sequential

    results = json.loads((ctx.run / "evaluate" / "results.json").read_text())
    sequential = json.loads((ctx.run / "sequential" / "results.json").read_text())
    in_context = json.loads((ctx.run / "reading" / "results.json").read_text())
    table = render_table(results, in_context)
    seq_table = render_sequential(sequential)
    (ctx.run / "report").mkdir(parents=True, exist_ok=True)
    atomic_write_text(ctx.run / "report" / "table.txt", table + ("\n" + seq_table if seq_table else ""))
    if ctx.settings.report.plots:
        traces = json.loads((ctx.run / "evaluate" / "traces.json").read_text())
        write_plots(results, traces, ctx.run / "report")
        plot_sequential(sequential, ctx.run / "report")
        plot_in_context(in_context, ctx.run / "report")
    ctx.say(table + ("\n" + seq_table if seq_table else ""))


STAGE = Stage("report", ("reading", "evaluate", "sequential"),
              ("reading/results.json", "evaluate/results.json", "evaluate/traces.json", "sequential/results.json"),
              ("report",),
              lambda s: dataclasses.asdict(s.report), _run,
              "pipeline stage: print the results table and write the plots (RUN/report)")
