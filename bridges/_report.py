"""The printed results table and the plots (PNG, matplotlib)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["render_table", "write_plots"]


def _fmt(x: dict) -> str:
    m, lo, hi = x["mean"], x["lo"], x["hi"]
    if m != m:  # NaN: no data
        return "-"
    if hi != hi:
        return f"{m:.3f}"
    return f"{m:.3f} [{lo:.2f},{hi:.2f}]"


def _pp(block: dict) -> str:
    return f"{block['pre']['mean']:.3f} -> {_fmt(block['post'])}"


def render_table(results: dict) -> str:
    """A plain-text table of the headline figures (every figure with its 95% interval; n in the header).

    Example:
        >>> # results come from bridges' evaluate stage; see README "The edit benchmark"
        >>> callable(render_table)
        True
    """
    summary = results["summary"]
    cfg = results["config"]["evaluate"]
    counts = summary["counts"]
    rule0 = cfg["rules"][0]
    lines = [f"Edit benchmark: {counts['all']} edit requests "
             f"(updating {counts['updating']}, fixing errors {counts['fixing']}, breaking {counts['breaking']}, "
             f"downstream implications {counts['downstream']}); 95% intervals in brackets", ""]
    groups = [g for g in ("all", "updating", "fixing", "breaking", "downstream") if counts[g]]
    lines.append("P(requested object): before -> after [95% interval of after]")
    head = f"  {'agent':<16}" + "".join(f"{g:>30}" for g in groups)
    lines += [head, "  " + "-" * (len(head) - 2)]
    for u in cfg["rules"]:
        lines.append(f"  {'bayes:' + u:<16}" + "".join(
            f"{_pp(summary['groups'][g]['bayes'][u]['p_requested']):>30}" for g in groups))
    for m in cfg["methods"]:
        lines.append(f"  {'lm:' + m:<16}" + "".join(
            f"{_pp(summary['groups'][g]['lm'][m]['p_requested']):>30}" for g in groups))
    lines.append("")
    lines.append(f"LM against the rational agent (rule {rule0!r}), all requests: accuracy = LM's top object is the "
                 "agent's; MAE = mean |P_LM - P_agent| over the domain (candidate-normalised; raw LM mass)")
    head = f"  {'method':<9}{'case':<30}{'accuracy before -> after':>34}{'MAE before -> after':>34}{'MAE raw after':>16}"
    lines += [head, "  " + "-" * (len(head) - 2)]
    for m in cfg["methods"]:
        against = summary["groups"]["all"]["lm"][m]["against"][rule0]
        for case, block in against.items():
            lines.append(f"  {m:<9}{case:<30}{_pp(block['accuracy']):>34}{_pp(block['mae']):>34}"
                         f"{block['mae_raw']['post']['mean']:>16.3f}")
    lines.append("")
    lines.append("Logical coherence after the edit: mean violation per check (0 = coherent; the rational agent "
                 "must read 0)")
    agents = list(summary["logic"])
    checks = sorted({c for a in agents for c in summary["logic"][a]})
    head = f"  {'check':<22}" + "".join(f"{a:>14}" for a in agents)
    lines += [head, "  " + "-" * (len(head) - 2)]
    for c in checks:
        lines.append(f"  {c:<22}" + "".join(
            f"{summary['logic'][a][c]['mean']:>14.3g}" if c in summary["logic"][a] else f"{'-':>14}"
            for a in agents))
    lines.append(f"\nthe rational agent: largest axiom violation {summary['rational_max_violation']:.1e}, largest "
                 f"coherence distance {summary.get('rational_max_distance', 0.0):.1e} (an LP, exact to the "
                 "solver's tolerance)")
    return "\n".join(lines) + "\n"


def write_plots(results: dict, traces: list, out_dir: str | os.PathLike) -> list[Path]:
    """Write the three figures; returns their paths.

    1. ``edit_steps.png``: P(requested object) over LoRA/fine-tuning steps for a few requests, with the
       rational agent's pre- and post-edit values dashed (the seed paper's figure);
    2. ``lm_vs_rational.png``: LM against rational-agent probabilities before and after edits, with the
       diagonal;
    3. ``coherence.png``: mean logical-coherence violation by check and agent.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ._io import atomic_open

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    cfg = results["config"]["evaluate"]
    rule0 = cfg["rules"][0]

    def save(fig, name):
        path = out / name
        with atomic_open(path, "wb", encoding=None) as f:
            fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)

    if traces:
        fig, axes = plt.subplots(1, len(traces), figsize=(4.2 * len(traces), 3.4), squeeze=False)
        for ax, tr in zip(axes[0], traces):
            for m, t in tr["lm"].items():
                ax.plot(t["steps"], t["p_requested"], marker="o", label=f"LM {m}")
            for u, (pre, post) in tr["bayes"].items():
                if u == rule0:
                    ax.axhline(pre, ls="--", color="grey", label=f"rational pre ({u})")
                    ax.axhline(post, ls="--", color="black", label=f"rational post ({u})")
            r = tr["request"]
            ax.set_title(f"{r['subject']}\n{r['relation']}: {r['obj']}", fontsize=8)
            ax.set_xlabel("edit steps")
            ax.set_ylim(-0.02, 1.02)
        axes[0][0].set_ylabel("P(requested object)")
        axes[0][0].legend(fontsize=7)
        save(fig, "edit_steps.png")

    recs = results["records"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, when in zip(axes, ("before", "after")):
        for m in cfg["methods"]:
            xs, ys = [], []
            for r in recs:
                for case in r["lm"][m]["cases"][rule0].values():
                    if when == "before":
                        xs += case["bayes_of_lm_top_pre"]
                        ys += case["lm_top_pre"]
                    else:
                        xs += case["bayes_top_post"]
                        ys += case["lm_of_bayes_top_post"]
            ax.scatter(xs, ys, s=8, alpha=0.5, label=f"LM {m}")
        ax.plot([0, 1], [0, 1], color="black", lw=0.8)
        ax.set_xlabel(f"rational agent ({rule0})")
        ax.set_title(f"{when} the edit")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("LM probability")
    axes[0].legend(fontsize=7)
    save(fig, "lm_vs_rational.png")

    logic = results["summary"]["logic"]
    agents = list(logic)
    checks = sorted({c for a in agents for c in logic[a]})
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(checks)), 3.8))
    width = 0.8 / max(len(agents), 1)
    for j, a in enumerate(agents):
        ax.bar(np.arange(len(checks)) + j * width, [logic[a].get(c, {"mean": 0})["mean"] for c in checks],
               width, label=a)
    ax.set_xticks(np.arange(len(checks)) + 0.4 - width / 2)
    ax.set_xticklabels(checks, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("mean violation after the edit")
    ax.legend(fontsize=7, ncol=2)
    save(fig, "coherence.png")
    return paths
