"""The printed results table and the plots (PNG, matplotlib)."""

from __future__ import annotations

import os
from pathlib import Path

from .numbers import fmt, num
from .report_reading import agent_or_database_lines

__all__ = ["render_table", "write_plots"]


_num, _fmt = num, fmt  # the names this module's code uses


def _pp(block: dict) -> str:
    pre = block["pre"]["mean"]
    return f"{'-' if pre is None else _num(pre, 3)} -> {_fmt(block['post'])}"


def _knowledge_lines(known: dict | None) -> list[str]:
    if not known:
        return []
    agent, ref = known["agent"], known["reference"]
    lines = [f"Before any edit: accuracy on the world's facts (top answer = true object), {agent} against the "
             f"rational agent ({ref})",
             f"  {'facts':<44}{'n':>7}{agent:>22}{ref:>22}{'agree':>22}{'greedy generation':>22}"]
    names = {"held_out": "never mentioned nor stated (held out)",
             "confident": "in training, rational P(true) >= 0.9",
             "confident_majority": "  of which most mentions state the truth",
             "graded": "in training, rational P(true) < 0.9"}
    for kind in ("held_out", "confident", "confident_majority", "graded"):
        if kind not in known:
            continue
        e = known[kind]
        gen = _fmt(e["agent_generative"]) if "agent_generative" in e else "-"
        lines.append(f"  {names[kind]:<44}{e['n']:>7}{_fmt(e['agent']):>22}{_fmt(e['reference']):>22}"
                     f"{_fmt(e['agreement']):>22}{gen:>22}")
    return lines + [""]


def _downstream_lines(summary: dict, agents: list[str], rule0: str) -> list[str]:
    shift = summary.get("downstream_shift")
    if not shift:
        return []
    n = summary["counts"]["downstream"]
    lines = [f"Downstream shift captured ({n} requests with downstream implications; the edited subject's "
             f"downstream relations): slope of the agent's change against the rational agent's ({rule0}) change "
             "of the probability of the rational new top object (1 = moves as the rational agent does, "
             "0 = does not move); share of the pairs whose rational top answer changes where the agent's "
             "follows; MAE on those pairs",
             f"  {'agent':<22}{'downstream shift captured':>34}{'pairs':>8}{'top answer follows':>26}"
             f"{'MAE before -> after':>34}"]
    for m in agents:
        d = shift[m][rule0]
        lines.append(f"  {m:<22}{_fmt(d['slope']):>34}{d['slope']['n']:>8}{_fmt(d['follows']):>26}"
                     f"{_pp(d['mae']):>34}")
    return lines + [""]


def _belief_lines(summary: dict, agents: list[str], rule0: str) -> list[str]:
    beliefs = summary.get("beliefs")
    if not beliefs:
        return []
    lines = [f"MAE against the rational agent ({rule0}) over every query, apart for graded beliefs (its largest "
             "probability < 0.9 before the edit) and confident ones; and against its predictive of the next "
             "*mention* (what an LM trained on the corpus predicts: a mention states the truth only with the "
             "fact's reliability)",
             f"  {'agent':<22}{'graded: before -> after':>34}{'confident: before -> after':>34}"
             f"{'vs mention: before -> after':>34}"]
    for m in agents:
        b = beliefs[m][rule0]
        mention = _pp(b["mention"]["mae"]) if "mention" in b else "-"
        lines.append(f"  {m:<22}{_pp(b['graded']['mae']):>34}{_pp(b['confident']['mae']):>34}{mention:>34}")
    return lines + [""]


def render_table(results: dict, in_context: dict | None = None) -> str:
    """A plain-text table of the headline figures (every figure with its 95% interval; n in the header).

    Example:
        >>> # results come from bridges' evaluate stage; see docs/pipeline.md
        >>> callable(render_table)
        True
    """
    summary = results["summary"]
    counts = summary["counts"]
    all_block = summary["groups"]["all"]
    references, agents = list(all_block["reference"]), list(all_block["agents"])
    rule0 = references[0]
    lines = [f"Edit benchmark: {counts['all']} edit requests "
             f"(updating {counts['updating']}, fixing errors {counts['fixing']}, breaking {counts['breaking']}, "
             f"with downstream implications {counts['downstream']}); 95% intervals in brackets", ""]
    lines += _knowledge_lines(results.get("knowledge"))
    lines += agent_or_database_lines(results, in_context)
    groups = [g for g in ("all", "updating", "fixing", "breaking", "downstream") if counts[g]]
    lines.append("P(requested object): before -> after [95% interval of after]")
    head = f"  {'agent':<22}" + "".join(f"{g:>30}" for g in groups)
    lines += [head, "  " + "-" * (len(head) - 2)]
    for u in references:
        lines.append(f"  {u:<22}" + "".join(
            f"{_pp(summary['groups'][g]['reference'][u]['p_requested']):>30}" for g in groups))
    for m in agents:
        lines.append(f"  {m:<22}" + "".join(
            f"{_pp(summary['groups'][g]['agents'][m]['p_requested']):>30}" for g in groups))
    for agent, ref in results.get("counterparts", {}).items():  # a method and the update that says what it says
        if agent in agents and ref in references:
            lm_c = summary["groups"]["all"]["agents"][agent]["p_requested"]
            ag_c = summary["groups"]["all"]["reference"][ref]["p_requested"]
            lines.append(f"  {agent} moves the LM's P(o*) by {_fmt(lm_c['delta'])}; its rational counterpart {ref} "
                         f"moves the agent's by {_fmt(ag_c['delta'])}")
    lines.append("")
    lines += _downstream_lines(summary, agents, rule0)
    lines += _belief_lines(summary, agents, rule0)
    lines.append(f"Against the rational agent ({rule0}), all requests: accuracy = the agent's top object is the "
                 "rational one; MAE = mean |P - P_rational| over the domain (candidate-normalised; raw mass)")
    aw = max(12, *(len(m) + 1 for m in agents))  # a longer method name keeps its column
    head = f"  {'agent':<{aw}}{'case':<30}{'accuracy before -> after':>34}{'MAE before -> after':>34}{'MAE raw after':>16}"
    lines += [head, "  " + "-" * (len(head) - 2)]
    for m in agents:
        against = all_block["agents"][m]["against"][rule0]
        for case, block in against.items():
            raw = block["mae_raw"]["post"]["mean"]
            lines.append(f"  {m:<{aw}}{case:<30}{_pp(block['accuracy']):>34}{_pp(block['mae']):>34}"
                         f"{'-' if raw is None else _num(raw, 3):>16}")
    lines.append("")
    checked = sum(1 for r in results["records"] if next(iter(r["agents"].values()))["logic"])
    lines.append(f"Logical coherence after the edit ({checked} requests checked): mean violation per check "
                 "(0 = coherent; the rational agent must read 0)")
    names = [*agents, *references]
    checks = sorted({c for a in names for c in summary["logic"][a]})
    w = max(14, *(len(a) + 2 for a in names))
    head = f"  {'check':<22}" + "".join(f"{a:>{w}}" for a in names)
    lines += [head, "  " + "-" * (len(head) - 2)]
    for c in checks:
        lines.append(f"  {c:<22}" + "".join(
            f"{summary['logic'][a][c]['mean']:>{w}.3g}" if c in summary["logic"][a] else f"{'-':>{w}}"
            for a in names))
    lines.append(f"\nthe rational agent: largest axiom violation {summary['rational_max_violation']:.1e}, largest "
                 f"coherence distance {summary.get('rational_max_distance', 0.0):.1e} (an LP, exact to the "
                 "solver's tolerance)")
    return "\n".join(lines) + "\n"


def write_plots(results: dict, traces: list, out_dir: str | os.PathLike) -> list[Path]:
    """Write the four figures; returns their paths.

    1. ``edit_steps.png``: P(requested object) over LoRA/fine-tuning steps for a few requests, with the
       rational agent's pre- and post-edit values dashed (the seed paper's figure);
    2. ``lm_vs_rational.png``: LM against rational-agent probabilities before and after edits, with the
       diagonal;
    3. ``downstream_shift.png``: each agent's change of the probability of the rational agent's new top
       object on the downstream relations of requests with implications, against the rational change
       (one panel per agent, the diagonal is rational revision, the horizontal axis no revision);
    4. ``coherence.png``: mean logical-coherence violation by check and agent.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from .._io import atomic_open

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    all_block = results["summary"]["groups"]["all"]
    references, agents = list(all_block["reference"]), list(all_block["agents"])
    rule0 = references[0]

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
        for m in agents:
            xs, ys = [], []
            for r in recs:
                for case in r["agents"][m]["cases"][rule0].values():
                    if when == "before":
                        xs += case["bayes_of_lm_top_pre"]
                        ys += case["lm_top_pre"]
                    else:
                        xs += case["bayes_top_post"]
                        ys += case["lm_of_bayes_top_post"]
            ax.scatter(xs, ys, s=8, alpha=0.5, label=m)
        ax.plot([0, 1], [0, 1], color="black", lw=0.8)
        ax.set_xlabel(f"rational agent ({rule0})")
        ax.set_title(f"{when} the edit: P(the {'LM' if when == 'before' else 'rational agent'}'s top object)",
                     fontsize=10)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("LM probability")
    axes[0].legend(fontsize=7)
    save(fig, "lm_vs_rational.png")

    fig, axes = plt.subplots(1, len(agents), figsize=(3.6 * len(agents), 3.6), squeeze=False)
    for ax, m in zip(axes[0], agents):
        xs, ys = [], []
        for r in recs:
            if "downstream" not in r["groups"]:
                continue
            case = r["agents"][m]["cases"][rule0].get("same_subject_downstream")
            if case:
                xs += case["ref_change"]
                ys += case["agent_change"]
        ax.scatter(xs, ys, s=10, alpha=0.5)
        ax.plot([-1, 1], [-1, 1], color="black", lw=0.8, label="rational")
        ax.axhline(0, color="grey", lw=0.5, ls=":")
        slope = results["summary"]["downstream_shift"][m][rule0]["slope"]["mean"]
        ax.set_title(f"{m}: slope {'-' if slope is None else f'{slope:.2f}'}", fontsize=9)
        ax.set_xlabel(f"rational change ({rule0})")
        ax.set_xlim(-1.02, 1.02)
        ax.set_ylim(-1.02, 1.02)
    axes[0][0].set_ylabel("agent's change")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Downstream beliefs after edits with implications: change of P(rational new top object)",
                 fontsize=9)
    save(fig, "downstream_shift.png")

    logic = results["summary"]["logic"]
    names = list(logic)
    checks = sorted({c for a in names for c in logic[a]})
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(checks)), 3.8))
    width = 0.8 / max(len(names), 1)
    for j, a in enumerate(names):
        ax.bar(np.arange(len(checks)) + j * width, [logic[a].get(c, {"mean": 0})["mean"] for c in checks],
               width, label=a)
    ax.set_xticks(np.arange(len(checks)) + 0.4 - width / 2)
    ax.set_xticklabels(checks, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("mean violation after the edit")
    ax.legend(fontsize=7, ncol=2)
    save(fig, "coherence.png")
    return paths
