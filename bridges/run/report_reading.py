"""The report's "agent or database?" block, the in-context block and ``in_context.png``.

Where does the LM sit on the line from a database (stores what it is told, infers nothing: 0 on every
figure below but its copy of what it read) to the rational agent (1 by definition where the figure is a
slope against it)? The figures come from the run: held-out accuracy (evaluate stage's knowledge block), the
in-context stage (new people described in the context), the in-context edit of known people (the prefix
method's P(o*) rise beside its rational counterpart) and each edit method's downstream shift captured.
"""

from __future__ import annotations

import os
from pathlib import Path

from .numbers import fmt

__all__ = ["agent_or_database_lines", "plot_in_context"]


_f = fmt


def agent_or_database_lines(results: dict, in_context: dict | None) -> list[str]:
    """The block's lines (empty without a database row in the run)."""
    summary = results["summary"]
    all_block = summary["groups"]["all"]
    agents, references = list(all_block["agents"]), list(all_block["reference"])
    rule0 = references[0]
    db = next((a for a in agents if a == "database"), None)
    lms = [a for a in agents if a.startswith("lm:")]
    if db is None or not lms:
        return []
    w = 26
    lines = ["Agent or database? Where the LM sits between a database (stores exactly what it is told, infers "
             "nothing) and the rational agent; 95% intervals",
             f"  {'':<46}{'database':>{w}}{'LM':>{w}}{'rational agent':>{w}}"]
    known, known_db = results.get("knowledge", {}), results.get("database", {}).get("knowledge", {})
    if "held_out" in known and "held_out" in known_db:
        lines.append(f"  {'held-out facts: accuracy':<46}{_f(known_db['held_out']['agent']):>{w}}"
                     f"{_f(known['held_out']['agent']):>{w}}{_f(known['held_out']['reference']):>{w}}")
    if in_context:
        r = in_context["readers"]
        lm_f, db_f = r["lm"]["figures"], r["database"]["figures"]
        lines.append(f"  {'new people: context shift captured':<46}{_f(db_f['shift']):>{w}}{_f(lm_f['shift']):>{w}}"
                     f"{'1 (the reference)':>{w}}")
        lines.append(f"  {'new people: a stated fact asked back (copy)':<46}{_f(db_f['copy']['lm']):>{w}}"
                     f"{_f(lm_f['copy']['lm']):>{w}}{_f(lm_f['copy']['agent']):>{w}}")
        lines.append(f"  {'new people: unstated facts, top agreement':<46}{_f(db_f['unstated']['agree']):>{w}}"
                     f"{_f(lm_f['unstated']['agree']):>{w}}{'1 (the reference)':>{w}}")
    for agent, ref in results.get("counterparts", {}).items():
        if agent in agents and ref in references:
            lm_d = all_block["agents"][agent]["p_requested"]["delta"]
            db_d = all_block["agents"][db]["p_requested"]["delta"]
            ag_d = all_block["reference"][ref]["p_requested"]["delta"]
            lines.append(f"  {f'in-context edit {agent}: P(o*) rise':<46}{_f(db_d):>{w}}{_f(lm_d):>{w}}"
                         f"{_f(ag_d):>{w}}")
            lines.append(f"    (the rational agent: {ref}, what the edit says to it)")
    shift = summary.get("downstream_shift", {})
    for a in lms:
        if a in shift and db in shift:
            lines.append(f"  {f'downstream shift captured: {a}':<46}{_f(shift[db][rule0]['slope']):>{w}}"
                         f"{_f(shift[a][rule0]['slope']):>{w}}{'1 (the reference)':>{w}}")
    if in_context and in_context.get("conditional"):
        c = in_context["conditional"]["checks"]
        agent_name = next((n for n in c if n not in ("lm", "database")), None)

        def v(name, fmt=".3f"):
            if name not in c:
                return "-"
            median = c[name].get("median_violation")
            mean = format(c[name]["mean_violation"], fmt)
            return mean if median is None else f"{format(median, fmt)} ({mean})"

        lines.append(f"  {'conditional check |P(B|A told) - P(A,B)/P(A)|':<46}{v('database'):>{w}}{v('lm'):>{w}}"
                     f"{v(agent_name, '.1e') if agent_name else '-':>{w}}")
        lines.append("    (median over the pairs, the mean in brackets: an incoherent P(A,B)/P(A) is unbounded)")
    return lines + [""]


def plot_in_context(in_context: dict, out_dir: str | os.PathLike) -> Path | None:
    """``in_context.png``: for new people, each reader's change against the rational agent's change of P(the
    agent's new top object) when one upstream fact is added to the context (the diagonal: reads as the agent;
    the axis: reads nothing), and P(stated object) asked back, the reader's against the agent's."""
    if not in_context:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._io import atomic_open

    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for name, reader in in_context["readers"].items():
        recs = reader["records"]
        before = {(r["person_index"], r["upstream"], r["relation"]): r for r in recs if r["kind"] == "shift_before"}
        xs, ys = [], []
        for r in recs:
            if r["kind"] == "shift_after":
                b = before[(r["person_index"], r["upstream"], r["relation"])]
                xs.append(r["agent_change"])
                ys.append(r["lm_p"] - b["lm_p"])
        slope = reader["figures"]["shift"]["mean"]
        axes[0].scatter(xs, ys, s=8, alpha=0.45, label=f"{name} (slope {'-' if slope is None else f'{slope:.2f}'})")
        copies = [r for r in recs if r["kind"] == "copy"]
        axes[1].scatter([r["agent"] for r in copies], [r["lm"] for r in copies], s=8, alpha=0.45, label=name)
    for ax in axes:
        ax.plot([-1, 1], [-1, 1], color="black", lw=0.8)
        ax.axhline(0, color="grey", lw=0.5, ls=":")
        ax.legend(fontsize=7)
    axes[0].set_xlim(-1.02, 1.02)
    axes[0].set_ylim(-1.02, 1.02)
    axes[0].set_xlabel("rational agent's change")
    axes[0].set_ylabel("reader's change")
    axes[0].set_title("one upstream fact added to the context: downstream beliefs", fontsize=9)
    axes[1].set_xlim(-0.02, 1.02)
    axes[1].set_ylim(-0.02, 1.02)
    axes[1].set_xlabel("rational agent's P(stated object)")
    axes[1].set_ylabel("reader's P(stated object)")
    axes[1].set_title("a stated fact asked back (copy)", fontsize=9)
    fig.suptitle(f"In context: {in_context['people']} new people described by a few of their facts", fontsize=9)
    path = Path(out_dir) / "in_context.png"
    with atomic_open(path, "wb", encoding=None) as f:
        fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
