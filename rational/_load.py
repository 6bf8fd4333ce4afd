"""Loading a posterior saved by :meth:`Posterior.save` (the format: :mod:`rational._store`).

Kept apart from :mod:`rational._store`, which writes and which :mod:`rational._posterior` uses, so that the
modules import one way: ``_load -> _posterior -> _store``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from . import _infer
from ._evidence import Evidence, EvidenceError
from ._graph import RelationGraph
from ._posterior import FitInfo, Posterior
from ._store import POSTERIOR_ARRAYS, POSTERIOR_FILE, read_header

__all__ = ["load"]


def load(directory: str | os.PathLike, evidence: Evidence | None = None) -> Posterior:
    """Load a posterior written by :meth:`Posterior.save`, offline and without refitting.

    Args:
        directory: the directory holding ``posterior.json`` and ``posterior.npz``.
        evidence: if given, the evidence it must have been fitted to: its :meth:`Evidence.fingerprint`
            (graph, subjects, channel, mentions, statements) must equal both the one recorded in the file
            and the one of the evidence the file itself describes; a difference is an error, never
            silently used.

    The JSON's digest (``json_sha256``) is checked; a file written before it existed is read without it,
    and then only the recorded evidence fingerprint guards the JSON (see the module docstring).

    Raises:
        FileNotFoundError: no saved posterior there.
        EvidenceError: a corrupt or truncated file, one changed after saving, another format version, or
            other evidence.

    Example:
        >>> import rational, tempfile
        >>> world = rational.sample_world(rational.example_graph(), 10, seed=0)
        >>> out = rational.fit(world.evidence).save(tempfile.mkdtemp())
        >>> rational.load(out, world.evidence).info.converged
        True
    """
    directory = Path(directory)
    header = read_header(directory)
    npz = directory / POSTERIOR_ARRAYS
    if not npz.is_file():
        raise EvidenceError(f"{npz} is missing (the saved posterior is incomplete)")
    blob = npz.read_bytes()
    if hashlib.sha256(blob).hexdigest() != header.get("npz_sha256"):
        raise EvidenceError(f"{npz} is corrupt or was changed after saving (its sha256 differs from the one "
                            f"recorded in {POSTERIOR_FILE})")
    recorded = header.get("evidence_sha256")
    if not isinstance(recorded, str):
        raise EvidenceError(f"{directory / POSTERIOR_FILE}: malformed saved posterior (no evidence_sha256)")
    if evidence is not None and evidence.fingerprint() != recorded:
        raise EvidenceError(f"the posterior in {directory} was fitted to other evidence (fingerprint "
                            f"{recorded[:12]}..., given {evidence.fingerprint()[:12]}...)")
    import io

    try:
        graph = RelationGraph.from_json(header["graph"])
        with np.load(io.BytesIO(blob), allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        channel = header["channel"]
        ev = Evidence.from_dict(graph, {"subjects": header["subjects"], "eps": channel["eps"],
                                        "statement_noise": channel["statement_noise"],
                                        "reliability": channel["reliability"], "mentions": {},
                                        "statements": header["statements"]})
        rels = graph.relations
        for i, r in enumerate(rels):
            ev.add_mention_arrays(r, data[f"mention_s_{i}"], data[f"mention_o_{i}"])
        edges = tuple(tuple(e) for e in header["pair_edges"])
        arrays = _infer.EvidenceArrays(
            _infer.Layout.of(graph, edges), tuple(data[f"unary_{i}"] for i in range(len(rels))),
            tuple((data[f"pair_u_{j}"], data[f"pair_r_{j}"]) for j in range(len(edges))),
            tuple(data[f"pair_table_{j}"] for j in range(len(edges))), data["offset"])
        thetas = tuple(data[f"theta_{i}"] for i in range(len(rels)))
        marginals = tuple(data[f"marginal_{i}"] for i in range(len(rels)))
        info = FitInfo(**header["info"])
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, EvidenceError):
            raise
        raise EvidenceError(f"{directory}: malformed saved posterior ({type(err).__name__}: {err})") from None
    if ev.fingerprint() != recorded:  # the file describes other evidence: an edit to subjects, graph, channel
        raise EvidenceError(f"{directory / POSTERIOR_FILE} was changed after saving (the evidence it describes "
                            "does not have the fingerprint recorded with it); fit again")
    return Posterior(graph, ev, arrays, thetas, marginals, info, {}, ())
