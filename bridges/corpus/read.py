"""Reading a corpus back: metadata (checked), documents (checked against the recorded count and digest),
and the evidence the rational agent fits, parsed from the text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .format import CORPUS_FILE, FORMAT_VERSION, METADATA_FILE, CorpusError
from .sentences import split_sentences, statement_of_sentence

if TYPE_CHECKING:
    from rational import Evidence, RelationGraph

__all__ = ["evidence_from_corpus", "file_sha256", "graph_from_metadata", "iter_documents", "load_metadata",
           "verify_corpus"]


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"")
        >>> file_sha256(p)[:12]
        'e3b0c44298fc'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_metadata(corpus_dir: str | Path) -> dict[str, Any]:
    """The metadata of a corpus directory (see :func:`bridges.write_corpus` for its keys).

    Raises:
        FileNotFoundError: no ``metadata.json`` in the directory.
        CorpusError: unreadable JSON or an unsupported ``format_version``.

    Example:
        >>> import tempfile, bridges
        >>> out = tempfile.mkdtemp()
        >>> _ = bridges.make_corpus("tiny", out, n_subjects=4, quiet=True)
        >>> load_metadata(out)["counts"]["documents"] > 0
        True
    """
    path = Path(corpus_dir) / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no corpus metadata at {str(path)!r} (write a corpus with "
                                "`python -m bridges corpus --out DIR` first)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CorpusError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        version = meta.get("format_version") if isinstance(meta, dict) else None
        raise CorpusError(f"{path}: unsupported corpus format_version {version!r} (this code reads "
                          f"{FORMAT_VERSION})")
    return meta


def verify_corpus(corpus_dir: str | Path) -> dict[str, Any]:
    """Check a corpus directory as a whole and return its metadata.

    The documents in ``corpus.jsonl`` must be as many as the metadata records, its sha256 the recorded
    one (a file cut at a line boundary, or edited after writing, is caught), and the corpus not empty.

    Raises:
        FileNotFoundError: a missing file.
        CorpusError: naming the file and what differs.
    """
    meta = load_metadata(corpus_dir)
    path = Path(corpus_dir) / CORPUS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no corpus at {str(path)!r}")
    h, lines = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for line in f:
            h.update(line)
            lines += 1
    expected = meta.get("counts", {}).get("documents")
    if expected is not None and lines != expected:
        raise CorpusError(f"{path} has {lines:,} documents but {METADATA_FILE} records {expected:,}: the file "
                          "was cut short or changed; write the corpus again")
    digest = meta.get("corpus", {}).get("sha256")
    if digest is not None and h.hexdigest() != digest:
        raise CorpusError(f"{path} differs from the one described by {METADATA_FILE} (sha256 mismatch): it was "
                          "changed after writing; write the corpus again")
    if lines == 0 or not meta.get("counts", {}).get("sentences", 1):
        raise CorpusError(f"{path} holds no sentences: an empty corpus gives the agent and the LM nothing to "
                          "learn from")
    return meta


def graph_from_metadata(metadata: dict[str, Any]) -> RelationGraph:
    """Rebuild the :class:`rational.RelationGraph` recorded in a corpus's metadata.

    Example:
        >>> meta = {"graph": {"relations": [
        ...     {"name": "a", "domain": ["x", "y"], "concentration": 1.0, "parents": []},
        ...     {"name": "b", "domain": ["z"], "concentration": [0.5], "parents": ["a"]}]}}
        >>> graph_from_metadata(meta).parents("b")
        ('a',)
    """
    from rational import GraphError, RelationGraph

    if "graph" not in metadata:
        raise CorpusError("metadata has no 'graph'")
    try:
        return RelationGraph.from_json(metadata["graph"])
    except GraphError as err:
        raise CorpusError(f"metadata has no valid 'graph': {err}") from None


def iter_documents(corpus_dir: str | Path, shuffle: int | None = None) -> Iterator[dict[str, Any]]:
    """The documents of a corpus, in file order (optionally only one shuffle).

    Example:
        >>> import tempfile, bridges
        >>> out = tempfile.mkdtemp()
        >>> _ = bridges.make_corpus("tiny", out, n_subjects=4, shuffles=2, quiet=True)
        >>> {d["shuffle"] for d in iter_documents(out, shuffle=1)}
        {1}
    """
    path = Path(corpus_dir) / CORPUS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no corpus at {str(path)!r}")
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                doc = json.loads(line)
                ok = isinstance(doc, dict) and isinstance(doc.get("text"), str)
            except json.JSONDecodeError:
                ok = False
            if not ok:
                raise CorpusError(f"{path}:{lineno}: expected a JSON object with a 'text' string")
            if shuffle is None or doc.get("shuffle") == shuffle:
                yield doc


def evidence_from_corpus(corpus_dir: str | Path) -> Evidence:
    """Parse the canonical shuffle of a corpus back into :class:`rational.Evidence`.

    The corpus is checked first (:func:`verify_corpus`). Every sentence is parsed with
    :func:`coherence.parse` / :func:`coherence.parse_statement` over the vocabulary in the metadata: a
    plain atom is a mention, a quoted sentence a labelled statement. Fitting the rational agent on the
    result gives the posterior of ``world.evidence`` (the corpus holds nothing else and each item once
    in shuffle 0).

    Raises:
        CorpusError: a sentence that does not parse (with file and line), is about another subject than
            its document, or has a shape the corpus never writes; a corpus that fails its checks.

    Example:
        >>> import tempfile, bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=6)
        >>> out = tempfile.mkdtemp()
        >>> _ = bridges.write_corpus(world, out, quiet=True)
        >>> evidence_from_corpus(out).fingerprint() == world.evidence.fingerprint()
        True
    """
    from coherence import Atom, SentenceParseError, Vocabulary, parse, parse_statement
    from rational import Evidence

    meta = verify_corpus(corpus_dir)
    graph = graph_from_metadata(meta)
    evidence = Evidence(graph, meta["subjects"], eps=meta["eps"], statement_noise=meta["statement_noise"],
                        reliability=meta.get("reliability"))
    vocab = Vocabulary(meta["subjects"], {r: graph.domain(r) for r in graph.relations})
    canonical = meta.get("corpus", {}).get("canonical_shuffle", 0)
    path = Path(corpus_dir) / CORPUS_FILE
    mentions: dict[str, tuple[list[int], list[int]]] = {r: ([], []) for r in graph.relations}
    seen: dict[str, Any] = {}  # sentence text -> parsed item (mentions repeat verbatim)
    lineno = 0
    for doc in iter_documents(corpus_dir):
        lineno += 1
        if doc.get("shuffle") != canonical:
            continue
        where = f"{path}:{lineno}"
        try:
            sentences = split_sentences(doc["text"])
        except CorpusError as err:
            raise CorpusError(f"{where}: {err}") from None
        for text in sentences:
            item = seen.get(text)
            if item is None:
                try:
                    if text.startswith('"'):
                        sentence, label = parse_statement(text, vocab)
                        item = statement_of_sentence(sentence, label)
                    else:
                        item = parse(text, vocab)
                        if not isinstance(item, Atom):
                            raise CorpusError(f"unquoted sentence {text!r} is not an atomic mention")
                except (SentenceParseError, CorpusError) as err:
                    raise CorpusError(f"{where}: {err}") from None
                seen[text] = item
            subject = item.subject
            if subject != doc.get("subject") and subject not in doc.get("subjects", ()):
                about = doc.get("subjects", doc.get("subject"))
                raise CorpusError(f"{where}: sentence {text!r} is about {subject!r}, but the document is "
                                  f"about {about!r}")
            if isinstance(item, Atom):
                s_list, o_list = mentions[item.relation]
                s_list.append(evidence.subject_index[subject])
                o_list.append(graph.object_index(item.relation, item.obj))
            else:
                evidence.add_statement(item)
    for r, (s_list, o_list) in mentions.items():
        evidence.add_mention_arrays(r, s_list, o_list)
    return evidence
