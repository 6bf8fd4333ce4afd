"""Saving and loading a fitted posterior: a documented ``.npz`` + JSON format, no pickle.

A posterior directory holds two files, written atomically (temporary names, fsync, rename; the JSON last,
so a directory with ``posterior.json`` is complete):

* ``posterior.npz`` (``numpy.savez``, loaded with ``allow_pickle=False``): ``theta_<i>`` (CPT of the i-th
  relation in topological order: parents' axes, then its own), ``marginal_<i>`` (S, K_i) exact marginals,
  ``unary_<i>`` (S, K_i) the encoded evidence likelihoods, ``pair_u_<j>``, ``pair_r_<j>``, ``pair_table_<j>``
  (statements about the j-th parent -> child pair, see :class:`rational.EvidenceArrays`), ``offset`` (S,),
  ``mention_s_<i>``, ``mention_o_<i>`` (the mentions of relation i: subject and object indices);
* ``posterior.json``: ``format`` ("rational-posterior"), ``version`` (1), ``graph``
  (:meth:`RelationGraph.to_json`), ``subjects``, ``channel`` (``eps``, ``statement_noise``,
  ``reliability``), ``statements`` (as in :meth:`Evidence.to_dict`), ``pair_edges``, ``info`` (the
  :class:`FitInfo`), ``evidence_sha256`` (:meth:`Evidence.fingerprint` of the evidence it was fitted to),
  ``npz_sha256`` (of the array file, to catch corruption), ``meta`` (the caller's, e.g. the corpus
  digest a pipeline fitted it to) and ``json_sha256``: sha256 of this JSON's own content without that
  field (keys sorted, no spaces), so that an edit to the JSON (a subject renamed, ``eps`` changed, two
  objects of a domain swapped) is refused on reading instead of moving beliefs silently.

A file without ``json_sha256`` (written before it was added; the version is still 1) is read with the
checks that remain: the evidence rebuilt from the JSON and the arrays must have the recorded
``evidence_sha256``, which catches such an edit unless the editor also recomputed that fingerprint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import uuid
from pathlib import Path

import numpy as np

from . import _infer
from ._evidence import Evidence, EvidenceError
from ._graph import RelationGraph

__all__ = ["POSTERIOR_ARRAYS", "POSTERIOR_FILE", "read_header", "save"]

POSTERIOR_FILE = "posterior.json"
POSTERIOR_ARRAYS = "posterior.npz"
_FORMAT, _VERSION = "rational-posterior", 1
_DIGEST = "json_sha256"


def _json_digest(header: dict) -> str:
    """sha256 of a header's content without its own digest: canonical JSON (keys sorted, no spaces)."""
    body = {k: v for k, v in header.items() if k != _DIGEST}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; an OSError that names no file (a full disk: ENOSPC from write
    or fsync) or only the temporary one is raised again naming ``path``, with its errno."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:12]}")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename in (None, str(tmp)):
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        raise


def save(posterior: "Posterior", directory: str | os.PathLike, *, meta: dict | None = None) -> Path:
    """Write a fitted posterior to ``directory`` (see the module docstring); returns the directory.

    Example:
        >>> import rational, tempfile
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 10, seed=0).evidence)
        >>> again = rational.load(post.save(tempfile.mkdtemp()))
        >>> bool((again.distributions("language") == post.distributions("language")).all())
        True
    """
    if posterior.overlay:
        raise EvidenceError("only a fitted posterior can be saved, not one with updates applied or subjects "
                            f"added ({len(posterior.overlay)} updated or added subject(s)); save the fitted one")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    arrays, ev, rels = posterior.arrays, posterior.evidence, posterior.graph.relations
    data = {"offset": arrays.offset}
    for i, r in enumerate(rels):
        data[f"theta_{i}"] = posterior.thetas[i]
        data[f"marginal_{i}"] = posterior.base_marginals[i]
        data[f"unary_{i}"] = arrays.unary[i]
        data[f"mention_s_{i}"], data[f"mention_o_{i}"] = ev.mentions(r)
    for j, ((iu, ir), table) in enumerate(zip(arrays.pair_index, arrays.pair_table)):
        data[f"pair_u_{j}"], data[f"pair_r_{j}"], data[f"pair_table_{j}"] = iu, ir, table
    import io

    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in data.items()})
    blob = buf.getvalue()
    plain = ev.to_dict()
    header = {
        "format": _FORMAT, "version": _VERSION, "graph": posterior.graph.to_json(), "subjects": plain["subjects"],
        "channel": {"eps": ev.eps, "statement_noise": ev.statement_noise, "reliability": plain["reliability"]},
        "statements": plain["statements"], "pair_edges": [list(e) for e in arrays.layout.pair_edges],
        "info": dataclasses.asdict(posterior.info), "evidence_sha256": ev.fingerprint(),
        "npz_sha256": hashlib.sha256(blob).hexdigest(), "meta": meta or {},
    }
    header = json.loads(json.dumps(header))  # the digest covers what a reader will parse (tuples as lists...)
    header[_DIGEST] = _json_digest(header)
    _write(out / POSTERIOR_ARRAYS, blob)
    _write(out / POSTERIOR_FILE, (json.dumps(header, ensure_ascii=False) + "\n").encode())
    return out


def read_header(directory: str | os.PathLike) -> dict:
    """The JSON half of a saved posterior (cheap: no arrays), checked for format, version and its own digest
    (``json_sha256``, where present): its ``meta`` (what the saver recorded, e.g. the corpus it was fitted
    to), ``info``, ``evidence_sha256``...

    Example:
        >>> import rational, tempfile
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 10, seed=0))
        >>> rational.read_header(post.save(tempfile.mkdtemp(), meta={"corpus": "abc"}))["meta"]
        {'corpus': 'abc'}
    """
    path = Path(directory) / POSTERIOR_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no saved posterior at {str(path)!r} (write one with Posterior.save)")
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise EvidenceError(f"{path}: corrupt saved posterior ({err})") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise EvidenceError(f"{path}: not a saved posterior (format {header.get('format') if isinstance(header, dict) else None!r})")
    if header.get("version") != _VERSION:
        raise EvidenceError(f"{path}: saved posterior version {header.get('version')!r}, this code reads {_VERSION}")
    if _DIGEST in header and header[_DIGEST] != _json_digest(header):
        raise EvidenceError(f"{path} was changed after saving (digest mismatch); fit again")
    return header
