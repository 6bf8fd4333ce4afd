"""Reading a corpus directory (``corpus.jsonl`` + ``metadata.json``, as ``bridges`` writes it)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ._errors import LMError

__all__ = ["Corpus", "Fact", "read_corpus"]


@dataclass(frozen=True)
class Fact:
    """A true (subject, relation, object); ``held_out`` facts never appear in the corpus text."""

    subject: str
    relation: str
    object: str
    held_out: bool = False


@dataclass(frozen=True)
class Corpus:
    """The documents and the world's metadata.

    Attributes:
        texts: documents, each ending in `` <eod>``.
        domains: relation -> its objects, in metadata order.
        subjects: subject names.
        facts: the true object of every (subject, relation).
        fingerprint: sha256 over both files (a resumed run checks it is training on the same corpus).
        once: for each document, whether it is to be read in one epoch only (``"once": true`` in the file:
            a document about people who appear nowhere else); empty when no document is.
    """

    texts: tuple[str, ...]
    domains: dict[str, tuple[str, ...]]
    subjects: tuple[str, ...]
    facts: tuple[Fact, ...]
    fingerprint: str
    once: tuple[bool, ...] = ()

    @property
    def train_facts(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if not f.held_out)

    @property
    def heldout_facts(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.held_out)

    def names(self) -> list[str]:
        """Every subject, relation and object name (all must be in the tokenizer's vocabulary)."""
        return [*self.subjects, *self.domains, *(o for d in self.domains.values() for o in d)]


FORMAT_VERSION = 1  # the corpus format this reader understands (the writer records it in metadata.json)


def read_corpus(directory: str | os.PathLike) -> Corpus:
    """Read and check a corpus directory.

    The metadata's ``format_version`` must be 1; where it records the number of documents
    (``counts.documents``) and the sha256 of ``corpus.jsonl`` (``corpus.sha256``), the file must match
    both (a file cut at a line boundary or edited after writing is refused).

    Raises:
        LMError: a missing file, a line that is not a JSON object with a ``"text"`` string (its line
            number is given), metadata without ``graph.relations``, ``subjects`` or ``facts``, another
            format version, or a corpus file that does not match its metadata.

    Example:
        >>> import lm, tempfile
        >>> c = read_corpus(lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=3, n_relations=2))
        >>> len(c.facts), len(c.domains)
        (6, 2)
    """
    path = Path(directory)
    files = {name: path / name for name in ("corpus.jsonl", "metadata.json")}
    for name, f in files.items():
        if not f.is_file():
            raise LMError(f"{path} is not a corpus directory: {name} is missing")
    digest = hashlib.sha256()
    texts, once = [], []
    raw = files["corpus.jsonl"].read_bytes()
    digest.update(raw)
    corpus_sha = hashlib.sha256(raw).hexdigest()
    raw_lines = 0
    for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        raw_lines += 1
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as e:
            raise LMError(f"{files['corpus.jsonl']}:{n}: not JSON ({e})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise LMError(f"{files['corpus.jsonl']}:{n}: expected an object with a \"text\" string")
        texts.append(doc["text"])
        once.append(doc.get("once") is True)
    if not texts:
        raise LMError(f"{files['corpus.jsonl']} holds no documents")
    raw = files["metadata.json"].read_bytes()
    digest.update(raw)
    try:
        meta = json.loads(raw)
        if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
            version = meta.get("format_version") if isinstance(meta, dict) else None
            raise LMError(f"{files['metadata.json']}: unsupported corpus format_version {version!r} (this "
                          f"code reads {FORMAT_VERSION})")
        recorded = meta.get("counts", {}).get("documents")
        lines = raw_lines
        if recorded is not None and lines != recorded:
            raise LMError(f"{files['corpus.jsonl']} has {lines:,} documents but metadata.json records {recorded:,}: "
                          "the file was cut short or changed; write the corpus again")
        sha = meta.get("corpus", {}).get("sha256")
        if sha is not None and sha != corpus_sha:
            raise LMError(f"{files['corpus.jsonl']} differs from the one metadata.json describes (sha256 "
                          "mismatch): it was changed after writing; write the corpus again")
        domains = {r["name"]: tuple(r["domain"]) for r in meta["graph"]["relations"]}
        subjects = tuple(meta["subjects"])
        facts = tuple(Fact(f["subject"], f["relation"], f["object"], bool(f.get("held_out", False)))
                      for f in meta["facts"])
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise LMError(f"{files['metadata.json']}: expected graph.relations[{{name, domain}}], subjects and "
                      f"facts[{{subject, relation, object, held_out}}] ({type(e).__name__}: {e})") from None
    for f in facts:
        if f.relation not in domains or f.object not in domains[f.relation]:
            raise LMError(f"{files['metadata.json']}: fact {f} names an unknown relation or object")
    return Corpus(tuple(texts), domains, subjects, facts, digest.hexdigest(), tuple(once) if any(once) else ())
