"""Evidence items <-> corpus sentences: a rational statement and its coherence sentence, both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .format import SENTENCE_END, END_OF_DOCUMENT, CorpusError

if TYPE_CHECKING:
    from rational import Statement

__all__ = ["KIND_TYPE", "kind_of", "sentence_of_statement", "split_sentences", "statement_of_sentence"]

#: sentence kind -> sentence type of the summary
KIND_TYPE = {"atom": "true_false", "not": "not", "and": "and", "or": "or", "implies": "implies"}


def sentence_of_statement(statement: Statement):
    """The :mod:`coherence` sentence of a rational statement (``atoms[0]`` is the left operand).

    Raises:
        CorpusError: if the statement's truth table is not that of an atom, not, and, or, or if-then.

    Example:
        >>> from rational import Statement
        >>> from coherence import render
        >>> st = Statement.connective("implies", "Ann Lee", [("country", "Chad"), ("language", "French")], True)
        >>> render(sentence_of_statement(st))
        'if Ann Lee country Chad then Ann Lee language French'
    """
    from coherence import And, Atom, Implies, Not, Or
    from rational import CONNECTIVES, Statement

    kind = statement.kind
    arity = len(statement.atoms)
    candidates = [kind] if kind in KIND_TYPE else []
    candidates += [k for k in KIND_TYPE if k != kind and CONNECTIVES[k][0] == arity]
    for k in candidates:  # trust the kind only if the truth table agrees with it
        if CONNECTIVES[k][0] == arity and Statement.of("", statement.atoms, CONNECTIVES[k][1], True).table \
                == statement.table:
            kind = k
            break
    else:
        raise CorpusError(f"statement about {statement.subject!r} over {list(statement.atoms)} (kind "
                          f"{statement.kind!r}) has a truth table that is not an atom, not, and, or, or "
                          "if-then: the corpus language cannot express it")
    atoms = [Atom(statement.subject, r, o) for r, o in statement.atoms]
    if kind == "atom":
        return atoms[0]
    if kind == "not":
        return Not(atoms[0])
    return {"and": And, "or": Or, "implies": Implies}[kind](atoms[0], atoms[1])


def statement_of_sentence(sentence, label: bool) -> Statement:
    """The rational statement of a parsed sentence and label (inverse of :func:`sentence_of_statement`).

    Raises:
        CorpusError: for shapes the corpus never writes (nested connectives) or atoms about two subjects.

    Example:
        >>> from coherence import Atom, Not
        >>> statement_of_sentence(Not(Atom("Ann Lee", "country", "Chad")), False).table
        (True, False)
    """
    from coherence import And, Atom, Implies, Not, Or, render
    from rational import Statement

    if isinstance(sentence, Atom):
        kind, operands = "atom", [sentence]
    elif isinstance(sentence, Not):
        kind, operands = "not", [sentence.arg]
    else:
        kind = {And: "and", Or: "or", Implies: "implies"}.get(type(sentence))
        operands = [sentence.left, sentence.right] if kind else []
    if not operands or not all(isinstance(a, Atom) for a in operands):
        raise CorpusError(f"sentence {render(sentence)!r}: the corpus holds only atoms and one connective "
                          "(not, and, or, if-then) over atoms")
    subjects = {a.subject for a in operands}
    if len(subjects) != 1:
        raise CorpusError(f"sentence {render(sentence)!r} is about several subjects {sorted(subjects)}")
    return Statement.connective(kind, operands[0].subject, [(a.relation, a.obj) for a in operands], label)


def kind_of(sentence) -> str:
    """``atom``, ``not``, ``and``, ``or`` or ``implies``: the connective at the top of a sentence."""
    return type(sentence).__name__.lower()


def split_sentences(text: str) -> list[str]:
    """The sentences of a document, without their final `` .`` (the inverse of the rendering).

    Raises:
        CorpusError: if the text does not end with `` <eod>`` or a sentence does not end with `` .``.

    Example:
        >>> split_sentences('Ann Lee continent Asia . "not Ann Lee continent Europe" is true . <eod>')
        ['Ann Lee continent Asia', '"not Ann Lee continent Europe" is true']
    """
    eod = f"{SENTENCE_END} {END_OF_DOCUMENT}"
    if not text.endswith(eod):
        raise CorpusError(f"document does not end with {eod!r}: ...{text[-40:]!r}")
    body = text[: -len(eod)]
    sentences = body.split(f"{SENTENCE_END} ")
    if any(not s for s in sentences):
        raise CorpusError(f"document has an empty sentence: {text[:80]!r}...")
    return sentences
