"""Exact parsing of corpus text back into sentences, given the world's vocabulary.

Names may contain spaces and the connective words ("Trinidad and Tobago", "not
applicable", "Iffy Thenardier", a relation "is true of"), so the text cannot be
split on keywords. The parser enumerates every reading of the text with a
memoised recursive descent over spans of the grammar that :func:`render` writes::

    sentence := atom | compound
    compound := "not " operand | operand " and " operand
              | operand " or " operand | "if " operand " then " operand
    operand  := atom | "(" compound ")"
    atom     := subject " " relation " " object      (names from the vocabulary)

A text with exactly one reading parses; none or several raise
:class:`SentenceParseError`. Only the count up to two matters, so each span keeps
at most two readings: the count of a span is a sum of products of its parts'
counts, and capping every part at two gives ``min(count, 2)`` exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from ._sentence import And, Atom, Implies, Not, Or, Sentence

__all__ = ["SentenceParseError", "Vocabulary", "parse", "parse_statement"]

_TRUE_SUFFIX = '" is true'
_FALSE_SUFFIX = '" is false'


class SentenceParseError(ValueError):
    """A text has no reading, or more than one, as a sentence over the vocabulary.

    Attributes:
        text: the text that failed, verbatim.
        reason: why it failed.
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"cannot parse {text!r}: {reason}")


def _check_name(kind: str, name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a str, got {name!r}")
    if not name or name != name.strip():
        raise ValueError(f"{kind} name {name!r} is empty or has leading/trailing whitespace")
    return name


class Vocabulary:
    """The names of a world: its subjects, and each relation with its domain of objects.

    Args:
        subjects: subject names (duplicates are dropped, order kept).
        relations: relation name -> its domain, the object names it can take.
            A domain must be non-empty and without duplicates.

    Example:
        >>> vocab = Vocabulary(["Trinidad and Tobago"], {"currency": ["dollar", "not applicable"]})
        >>> vocab.relations["currency"]
        ('dollar', 'not applicable')
        >>> Atom("Trinidad and Tobago", "currency", "euro") in vocab
        False
    """

    __slots__ = ("_subjects", "_subject_set", "_relations", "_object_sets", "_max_subject", "_max_relation")

    def __init__(self, subjects: Iterable[str], relations: Mapping[str, Sequence[str]]) -> None:
        subs = tuple(dict.fromkeys(_check_name("subject", s) for s in subjects))
        rels: dict[str, tuple[str, ...]] = {}
        for rel, domain in relations.items():
            _check_name("relation", rel)
            if isinstance(domain, str):
                raise TypeError(f"domain of relation {rel!r} must be a sequence of names, not a str")
            objs = tuple(_check_name(f"object of relation {rel!r}", o) for o in domain)
            if not objs:
                raise ValueError(f"relation {rel!r} has an empty domain")
            if len(set(objs)) != len(objs):
                raise ValueError(f"relation {rel!r} lists an object twice")
            rels[rel] = objs
        self._subjects = subs
        self._subject_set = frozenset(subs)
        self._relations = MappingProxyType(rels)
        self._object_sets = {rel: frozenset(objs) for rel, objs in rels.items()}
        self._max_subject = max((len(s) for s in subs), default=0)
        self._max_relation = max((len(r) for r in rels), default=0)

    @property
    def subjects(self) -> tuple[str, ...]:
        """The subject names, in the order given."""
        return self._subjects

    @property
    def relations(self) -> Mapping[str, tuple[str, ...]]:
        """Relation name -> its domain (read-only); usable as ``domains`` elsewhere."""
        return self._relations

    def __contains__(self, atom: object) -> bool:
        return (
            isinstance(atom, Atom)
            and atom.subject in self._subject_set
            and atom.obj in self._object_sets.get(atom.relation, ())
        )

    def __repr__(self) -> str:
        return f"Vocabulary({len(self._subjects)} subjects, relations={dict(self._relations)!r})"


def _positions(text: str, needle: str) -> list[int]:
    out = []
    at = text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


class _Parser:
    """All readings (capped at two) of the spans of one text."""

    def __init__(self, text: str, vocab: Vocabulary) -> None:
        self.text = text
        self.vocab = vocab
        self.spaces = _positions(text, " ")
        self.ands = _positions(text, " and ")
        self.ors = _positions(text, " or ")
        self.thens = _positions(text, " then ")
        self._compound: dict[tuple[int, int], list[Sentence]] = {}

    def atoms(self, i: int, j: int) -> list[Sentence]:
        """Readings of ``text[i:j]`` as ``subject relation object``."""
        text, vocab, spaces = self.text, self.vocab, self.spaces
        found: list[Sentence] = []
        # The subject ends at a space k; the relation at a later space m.
        k_lo = bisect_right(spaces, i)
        k_hi = bisect_left(spaces, min(j, i + vocab._max_subject + 1))
        for k in spaces[k_lo:k_hi]:
            subject = text[i:k]
            if subject not in vocab._subject_set:
                continue
            m_lo = bisect_right(spaces, k + 1)
            m_hi = bisect_left(spaces, min(j, k + 2 + vocab._max_relation))
            for m in spaces[m_lo:m_hi]:
                objects = vocab._object_sets.get(text[k + 1 : m])
                if objects is not None and text[m + 1 : j] in objects:
                    found.append(Atom(subject, text[k + 1 : m], text[m + 1 : j]))
        return found

    def operand(self, i: int, j: int) -> list[Sentence]:
        found = self.atoms(i, j)
        if j - i >= 2 and self.text[i] == "(" and self.text[j - 1] == ")":
            found.extend(self.compound(i + 1, j - 1))
        return found[:2]

    def _binary(self, found: list[Sentence], cls: type, i: int, j: int, cut: int, width: int) -> None:
        if len(found) >= 2:
            return
        lefts = self.operand(i, cut)
        if not lefts:
            return
        for right in self.operand(cut + width, j):
            for left in lefts:
                found.append(cls(left, right))

    def compound(self, i: int, j: int) -> list[Sentence]:
        """Readings of ``text[i:j]`` whose top node is a connective (at most two)."""
        key = (i, j)
        cached = self._compound.get(key)
        if cached is not None:
            return cached
        text = self.text
        found: list[Sentence] = []
        if text.startswith("not ", i):
            found.extend(Not(arg) for arg in self.operand(i + 4, j))
        if text.startswith("if ", i):
            for cut in self.thens[bisect_left(self.thens, i + 3) : bisect_left(self.thens, j - 5)]:
                self._binary(found, Implies, i + 3, j, cut, 6)
        for cls, cuts, width in ((And, self.ands, 5), (Or, self.ors, 4)):
            for cut in cuts[bisect_left(cuts, i + 1) : bisect_left(cuts, j - width)]:
                self._binary(found, cls, i, j, cut, width)
        found = found[:2]
        self._compound[key] = found
        return found

    def sentence(self) -> list[Sentence]:
        n = len(self.text)
        return (self.atoms(0, n) + self.compound(0, n))[:2]


def parse(text: str, vocab: Vocabulary) -> Sentence:
    """The one sentence that ``text`` reads as, over the names of ``vocab``.

    The inverse of :func:`render`: ``parse(render(s), vocab) == s`` whenever the
    rendered text has a single reading. Leading and trailing whitespace is ignored;
    everything else must match exactly.

    Args:
        text: corpus text, e.g. ``"if (not x r y) then x s z"``.
        vocab: the world's subjects, relations and domains.

    Returns:
        The sentence.

    Raises:
        SentenceParseError: if the text has no reading, or more than one; the
            message quotes the text.

    Example:
        >>> vocab = Vocabulary(["Trinidad and Tobago", "Chad"], {"currency": ["dollar", "franc"]})
        >>> parse("Trinidad and Tobago currency dollar and (not Chad currency dollar)", vocab)
        And(left=Atom(subject='Trinidad and Tobago', relation='currency', obj='dollar'), \
right=Not(arg=Atom(subject='Chad', relation='currency', obj='dollar')))
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {text!r}")
    readings = _Parser(text.strip(), vocab).sentence()
    if not readings:
        raise SentenceParseError(text, "no reading as a sentence over the vocabulary")
    if len(readings) > 1:
        raise SentenceParseError(
            text, f"ambiguous, it has several readings, e.g. {readings[0]!r} and {readings[1]!r}"
        )
    return readings[0]


def parse_statement(text: str, vocab: Vocabulary) -> tuple[Sentence, bool]:
    """The sentence and label of a statement ``"<sentence>" is true`` / ``is false``.

    The inverse of :func:`render_statement`.

    Raises:
        SentenceParseError: if the text is not a statement or its sentence does not
            parse; the message quotes the text.

    Example:
        >>> vocab = Vocabulary(["Chad"], {"currency": ["franc"]})
        >>> parse_statement('"not Chad currency franc" is false', vocab)
        (Not(arg=Atom(subject='Chad', relation='currency', obj='franc')), False)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {text!r}")
    stripped = text.strip()
    for suffix, label in ((_TRUE_SUFFIX, True), (_FALSE_SUFFIX, False)):
        if stripped.startswith('"') and stripped.endswith(suffix) and len(stripped) > len(suffix):
            inner = stripped[1 : -len(suffix)]
            try:
                return parse(inner, vocab), label
            except SentenceParseError as err:
                raise SentenceParseError(text, f"its sentence {inner!r}: {err.reason}") from None
    raise SentenceParseError(text, "not of the form '\"<sentence>\" is true' or '\"<sentence>\" is false'")
