"""The sequential-editing part of the report: a table by checkpoint and ``sequential.png``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["plot_sequential", "render_sequential"]

_FIGURES = (("efficacy", "P(o*) of the edits so far"), ("retention_change", "retention: P(o*_i) now - right after"),
            ("downstream_shift", "downstream shift captured"), ("other_accuracy", "other people's accuracy"),
            ("coherence_violation", "mean axiom violation"))


def _mean(entry: dict, key: str):
    v = entry.get(key)
    return v if isinstance(v, (int, float)) or v is None else v.get("mean")


def _cell(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def _interval(entry: dict, key: str) -> str:
    v = entry.get(key)
    if not isinstance(v, dict) or v.get("mean") is None:
        return "-"
    if v.get("lo") is None:
        return f"{v['mean']:.2f}"
    return f"{v['mean']:.2f} [{v['lo']:.1f},{v['hi']:.1f}]"


def render_sequential(seq: dict) -> str:
    """The table: for each agent (and each rule of the rational agent), each figure at each checkpoint."""
    if "agents" not in seq:
        return ""
    cps = seq["checkpoints"]
    lines = [f"Sequential editing: {len(seq['requests'])} edits applied one after another (batch: the first t in "
             f"one update); measured after {', '.join(map(str, cps))} edits; the rational agent ("
             f"{next(iter(seq['references']))}) is the reference"]
    rows = {**{n: a["at"] for n, a in seq["agents"].items()}, **{n: r["at"] for n, r in seq["references"].items()}}
    w = max(22, *(len(n) + 2 for n in rows))
    for key, title in _FIGURES:
        if not any(key in e for at in rows.values() for e in at):
            continue
        wide = key == "downstream_shift"  # few pairs after few edits: the slope's interval says how much it means
        cw = 20 if wide else 12
        lines.append(f"  {title}" + (" (95% interval, clustered by person)" if wide else ""))
        lines.append(f"    {'agent':<{w}}" + "".join(f"{f'after {t}':>{cw}}" for t in cps))
        for n, at in rows.items():
            if any(key in e for e in at):
                cells = [_interval(e, key) if wide else _cell(_mean(e, key)) for e in at]
                lines.append(f"    {n:<{w}}" + "".join(f"{c:>{cw}}" for c in cells))
    effect = seq.get("order_effect", {})
    if effect:
        lines.append("  order: the rational agent's beliefs when the same edits come in reverse order move by at most "
                     + ", ".join(f"{u} {v:.1e}" for u, v in effect.items())
                     + " (bayes does not depend on order; jeffrey's partitions of one person's dependent facts do)")
    return "\n".join(lines) + "\n"


def plot_sequential(seq: dict, out_dir: str | os.PathLike) -> Path | None:
    """``sequential.png``: each figure against the number of edits, one line per agent (the rational agent dashed)."""
    if "agents" not in seq:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._io import atomic_open

    cps = seq["checkpoints"]
    figures = [(k, t) for k, t in _FIGURES if any(k in e for a in seq["agents"].values() for e in a["at"])]
    fig, axes = plt.subplots(1, len(figures), figsize=(3.6 * len(figures), 3.4), squeeze=False)
    for ax, (key, title) in zip(axes[0], figures):
        for n, a in seq["agents"].items():
            line, = ax.plot(cps, [_mean(e, key) for e in a["at"]], marker="o", label=n,
                            ls=":" if a["mode"] == "batch" else "-")
            if key == "downstream_shift":  # its 95% interval: after few edits it rests on few people
                ok = [(t, e[key]) for t, e in zip(cps, a["at"]) if isinstance(e.get(key), dict)
                      and e[key].get("lo") is not None]
                if ok:
                    ax.fill_between([t for t, _ in ok], [v["lo"] for _, v in ok], [v["hi"] for _, v in ok],
                                    color=line.get_color(), alpha=0.12)
        for n, r in seq["references"].items():
            if any(key in e for e in r["at"]):
                ax.plot(cps, [_mean(e, key) for e in r["at"]], ls="--", color="black" if n.endswith(":bayes") else
                        "grey", label=n)
        ax.set_xscale("log")
        ax.set_xlabel("edits so far")
        ax.set_title(title, fontsize=9)
    axes[0][0].legend(fontsize=7)
    path = Path(out_dir) / "sequential.png"
    with atomic_open(path, "wb", encoding=None) as f:
        fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
