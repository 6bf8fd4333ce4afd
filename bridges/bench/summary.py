"""Aggregating per-request records: means with 95% intervals, per group, agent, reference and case.

Every figure is a dict ``{"mean", "lo", "hi", "n"}``: Wilson's interval for shares of 0/1 outcomes,
otherwise mean +- 1.96 s / sqrt(n) (s the sample standard deviation), clipped to the quantity's range.
JSON output is strict: with no values the mean and bounds are ``null`` (and ``"note": "no data"``); with
one value the bounds are ``null`` (``"note": "one value: no interval"``). Never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .evaluate import CASES

__all__ = ["GRADED", "GROUPS", "interval", "slope_through_origin", "summarise"]

GROUPS = ("all", "updating", "fixing", "breaking", "downstream")
GRADED = 0.9  # a belief is graded when the reference's largest probability is below this, confident otherwise
_Z = 1.959963984540054  # the 97.5% quantile of the standard normal


def interval(values: Sequence[float], proportion: bool = False, bounds=(0.0, 1.0)) -> dict[str, Any]:
    """Mean with a 95% interval.

    Args:
        values: the observations.
        proportion: use Wilson's score interval when every value is 0 or 1 (a share of successes).
        bounds: clip the normal interval to this range (probabilities, accuracies and MAEs lie in
            [0, 1], differences of them in [-1, 1]); None leaves it as it is.

    Example:
        >>> round(interval([1, 1, 0, 1], proportion=True)["lo"], 4)  # Wilson: 3 of 4
        0.3006
        >>> interval([])
        {'mean': None, 'lo': None, 'hi': None, 'n': 0, 'note': 'no data'}
    """
    x = np.asarray(values, float)
    n = int(x.size)
    if n == 0:
        return {"mean": None, "lo": None, "hi": None, "n": 0, "note": "no data"}
    mean = float(x.mean())
    if proportion and np.all((x == 0) | (x == 1)):
        centre = (mean + _Z * _Z / (2 * n)) / (1 + _Z * _Z / n)
        half = _Z * math.sqrt(mean * (1 - mean) / n + _Z * _Z / (4 * n * n)) / (1 + _Z * _Z / n)
        return {"mean": mean, "lo": centre - half, "hi": centre + half, "n": n}
    if n == 1:
        return {"mean": mean, "lo": None, "hi": None, "n": 1, "note": "one value: no interval"}
    half = _Z * float(x.std(ddof=1)) / math.sqrt(n)
    lo, hi = mean - half, mean + half
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return {"mean": mean, "lo": lo, "hi": hi, "n": n}


def slope_through_origin(x: Sequence[float], y: Sequence[float], clusters: Sequence[int]) -> dict[str, Any]:
    """Least-squares slope of y = b x (no intercept: no change maps to no change), with a 95% interval
    from the cluster-robust (sandwich) variance, clusters being independent units (requests).

    Example:
        >>> r = slope_through_origin([0.2, 0.5, 0.1, 0.4], [0.2, 0.5, 0.1, 0.4], [0, 0, 1, 1])
        >>> r["mean"], r["n"]
        (1.0, 4)
    """
    x, y, c = np.asarray(x, float), np.asarray(y, float), np.asarray(clusters)
    sxx = float(np.sum(x * x))
    n_clusters = int(np.unique(c).size)
    if x.size == 0 or sxx == 0:
        return {"mean": None, "lo": None, "hi": None, "n": int(x.size), "clusters": n_clusters,
                "note": "no change to regress on"}
    b = float(np.sum(x * y) / sxx)
    e = y - b * x
    scores = np.array([np.sum((x * e)[c == k]) for k in np.unique(c)])
    if n_clusters < 2:
        return {"mean": b, "lo": None, "hi": None, "n": int(x.size), "clusters": n_clusters,
                "note": "one cluster: no interval"}
    se = math.sqrt(n_clusters / (n_clusters - 1) * float(np.sum(scores**2))) / sxx
    return {"mean": b, "lo": b - _Z * se, "hi": b + _Z * se, "n": int(x.size), "clusters": n_clusters}


def _pre_post(pre: list[float], post: list[float], proportion: bool = False) -> dict:
    return {"pre": interval(pre, proportion), "post": interval(post, proportion),
            "delta": interval(np.subtract(post, pre).tolist(), bounds=(-1.0, 1.0))}


def _logic_block(entries: Sequence[Mapping]) -> dict:
    checks = sorted({k for e in entries for k in e})
    return {k: interval([e[k] for e in entries if k in e], bounds=(0.0, math.inf)) for k in checks}


def summarise(records: Sequence[Mapping]) -> dict:
    """Aggregate the records of :func:`bridges.evaluate`: per group, agent, reference and case,
    pre/post/delta with 95% intervals; logical coherence per agent and reference.

    Returns:
        ``{"counts": {group: n}, "groups": {group: {"reference": {name: {"p_requested"}}, "agents":
        {name: {"p_requested", "p_requested_raw", "success", "against": {reference: {case: {"accuracy",
        "mae", "mae_raw"}}}}}}}, "logic": {name: {check: interval}}, "rational_max_violation",
        "rational_max_distance"}``.
    """
    references = list(dict.fromkeys(u for r in records for u in r["reference"]))
    agents = list(dict.fromkeys(m for r in records for m in r["agents"]))
    out: dict[str, Any] = {"groups": {}, "logic": {}, "counts": {}}
    for g in GROUPS:
        recs = [r for r in records if g in r["groups"]]
        out["counts"][g] = len(recs)
        block: dict[str, Any] = {"reference": {}, "agents": {}}
        for u in references:
            block["reference"][u] = {"p_requested": _pre_post([r["reference"][u]["p_requested_pre"] for r in recs],
                                                              [r["reference"][u]["p_requested_post"] for r in recs])}
        for m in agents:
            entries = [r["agents"][m] for r in recs]
            mb: dict[str, Any] = {
                "p_requested": _pre_post([e["p_requested_pre"] for e in entries], [e["p_requested_post"] for e in entries]),
                "p_requested_raw": _pre_post([e["p_requested_raw_pre"] for e in entries],
                                             [e["p_requested_raw_post"] for e in entries]),
                "success": interval([float(e["success"]) for e in entries], proportion=True),
                "against": {},
            }
            for u in references:
                cb = {}
                for c in CASES:
                    cs = [e["cases"][u][c] for e in entries if c in e["cases"][u]]
                    if not cs:
                        continue
                    cb[c] = {"accuracy": _pre_post([x["accuracy_pre"] for x in cs], [x["accuracy_post"] for x in cs],
                                                   proportion=True),
                             "mae": _pre_post([x["mae_pre"] for x in cs], [x["mae_post"] for x in cs]),
                             "mae_raw": _pre_post([x["mae_raw_pre"] for x in cs], [x["mae_raw_post"] for x in cs])}
                mb["against"][u] = cb
            block["agents"][m] = mb
        out["groups"][g] = block
    out["downstream_shift"], out["beliefs"] = {}, {}
    implication = [r for r in records if "downstream" in r["groups"]]
    for m in agents:
        out["downstream_shift"][m], out["beliefs"][m] = {}, {}
        for u in references:
            out["downstream_shift"][m][u] = _downstream(implication, m, u)
            out["beliefs"][m][u] = _beliefs(records, m, u)
    for m in agents:
        out["logic"][m] = _logic_block([r["agents"][m]["logic"] for r in records])
    for u in references:
        out["logic"][u] = _logic_block([r["reference"][u]["logic"] for r in records])
    # the axiom checks are sums of exact probabilities (float64 round-off, ~1e-16); the coherence distance
    # is a linear programme solved by HiGHS, exact only to the solver's tolerance (~1e-9), so it is apart
    out["rational_max_violation"] = max((v for r in records for u in references
                                         for k, v in r["reference"][u]["logic"].items() if k != "coherence_distance"),
                                        default=0.0)
    out["rational_max_distance"] = max((r["reference"][u]["logic"].get("coherence_distance", 0.0) for r in records
                                        for u in references), default=0.0)
    return out


def _downstream(records: Sequence[Mapping], agent: str, reference: str) -> dict[str, Any]:
    """Over the downstream pairs of the requests with downstream implications: the slope of the agent's
    change against the reference's change of the probability of the reference's new top object, the share
    of pairs whose top answer changes for the reference where the agent's follows it, and the MAE."""
    x, y, clusters, follows, pre, post = [], [], [], [], [], []
    for r in records:
        case = r["agents"][agent]["cases"][reference].get("same_subject_downstream")
        if not case:
            continue
        x += case["ref_change"]
        y += case["agent_change"]
        clusters += [r["index"]] * len(case["ref_change"])
        follows += [float(f) for f, changed in zip(case["agent_follows"], case["ref_top_changed"]) if changed]
        pre += case["mae_pre_q"]
        post += case["mae_post_q"]
    return {"slope": slope_through_origin(x, y, clusters), "follows": interval(follows, proportion=True),
            "mae": _pre_post(pre, post), "requests": len(records)}


def _beliefs(records: Sequence[Mapping], agent: str, reference: str) -> dict[str, Any]:
    """MAE against the reference over every query, apart for graded beliefs (the reference's largest
    probability below :data:`GRADED` before the edit) and confident ones, and against its predictive of a
    mention (what an LM is trained on) where the reference gives it."""
    rows = [(m, q, pre, post, mpre, mpost)
            for r in records for case in r["agents"][agent]["cases"][reference].values()
            for m, q, pre, post, mpre, mpost in zip(case["ref_max_pre"], range(len(case["ref_max_pre"])),
                                                    case["mae_pre_q"], case["mae_post_q"],
                                                    case.get("mae_mention_pre_q", [None] * len(case["ref_max_pre"])),
                                                    case.get("mae_mention_post_q", [None] * len(case["ref_max_pre"])))]
    out: dict[str, Any] = {}
    for name, keep in (("graded", lambda m: m < GRADED), ("confident", lambda m: m >= GRADED)):
        sel = [row for row in rows if keep(row[0])]
        out[name] = {"mae": _pre_post([row[2] for row in sel], [row[3] for row in sel])}
    mention = [row for row in rows if row[4] is not None]
    if mention:
        out["mention"] = {"mae": _pre_post([row[4] for row in mention], [row[5] for row in mention])}
    return out
