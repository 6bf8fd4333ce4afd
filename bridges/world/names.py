"""Names that corpus text can carry: no reserved character (``.`` ``"`` ``<`` ``>``), single spaces, and
no two readings of one sentence. (Synthetic people's names: :func:`bridges.world.builtin.person_names`.)
"""

from __future__ import annotations

__all__ = ["RESERVED_CHARACTERS", "InvalidNameError", "check_name", "check_vocabulary"]



#: Characters that the corpus reserves: sentence end, statement quotes, the end-of-document marker.
RESERVED_CHARACTERS = '."<>'


class InvalidNameError(ValueError):
    """A subject, relation or object name that cannot appear verbatim in corpus text."""


def check_name(name: object, what: str) -> str:
    """Return ``name`` if it can appear verbatim in a corpus sentence; raise otherwise.

    A name must be a non-empty string of words separated by single spaces (no tabs, newlines or
    leading/trailing spaces) without the reserved characters ``.`` ``"`` ``<`` ``>``: the corpus ends
    sentences with `` .``, quotes statements and ends documents with ``<eod>``.

    Args:
        name: the name to check.
        what: what the name is, for the error message (e.g. ``"object of relation 'continent'"``).

    Raises:
        InvalidNameError: naming ``what``, the name and the offending character.

    Example:
        >>> check_name("Trinidad and Tobago", "object")
        'Trinidad and Tobago'
        >>> check_name("St. Louis", "object")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bridges.world.names.InvalidNameError: object 'St. Louis' contains '.', which the corpus reserves ...
    """
    if not isinstance(name, str) or not name:
        raise InvalidNameError(f"{what} must be a non-empty string, got {name!r}")
    for ch in RESERVED_CHARACTERS:
        if ch in name:
            raise InvalidNameError(
                f"{what} {name!r} contains {ch!r}, which the corpus reserves (sentence end '.', statement "
                "quotes '\"', end-of-document marker '<eod>'); rename it"
            )
    if " ".join(name.split()) != name:
        raise InvalidNameError(
            f"{what} {name!r} must be words separated by single spaces (no tabs, newlines, repeated or "
            "leading/trailing spaces)"
        )
    return name


def check_vocabulary(graph, subjects) -> None:
    """Refuse names that make a sentence ``"<subject> <relation> <object>"`` readable in two ways.

    Every name must pass :func:`check_name`. Then, with P the prompts ``"<subject> <relation>"``: two
    (subject, relation) pairs must not give the same prompt, and when a prompt p2 extends another prompt
    p1 by words w, no object o2 of p2's relation may make ``w o2`` an object of p1's relation (the atom
    ``p2 o2`` would also read as ``p1 (w o2)``). Relations ``a`` and ``a b`` with objects ``x`` (of
    ``a b``) and ``b x`` (of ``a``) are such a case. The check costs about one dictionary lookup per
    prompt and word.

    Raises:
        InvalidNameError: naming the sentence and both of its readings.

    Example:
        >>> import rational
        >>> g = rational.RelationGraph().add_relation("a", ["b x"]).add_relation("a b", ["x"])
        >>> check_vocabulary(g, ["Ann"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bridges.world.names.InvalidNameError: ambiguous names: 'Ann a b x' reads as (Ann | a | b x) and as (Ann | a b | x)...
    """
    relations = list(graph.relations)
    for r in relations:
        check_name(r, "relation name")
        for o in graph.domain(r):
            check_name(o, f"object of relation {r!r}")
    for s in subjects:
        check_name(s, "subject name")
    prompts: dict[str, tuple[str, str]] = {}
    for s in subjects:
        for r in relations:
            p = f"{s} {r}"
            if p in prompts:
                s1, r1 = prompts[p]
                raise InvalidNameError(f"ambiguous names: the prompt {p!r} reads as ({s1} | {r1}) and as ({s} | {r}); "
                                       "rename a subject or relation")
            prompts[p] = (s, r)
    objects = {r: set(graph.domain(r)) for r in relations}
    for p2, (s2, r2) in prompts.items():
        words = p2.split(" ")
        for cut in range(1, len(words)):
            p1 = " ".join(words[:cut])
            if p1 not in prompts:
                continue
            s1, r1 = prompts[p1]
            w = " ".join(words[cut:])
            for o2 in graph.domain(r2):
                if f"{w} {o2}" in objects[r1]:
                    raise InvalidNameError(
                        f"ambiguous names: {p2 + ' ' + o2!r} reads as ({s1} | {r1} | {w} {o2}) and as "
                        f"({s2} | {r2} | {o2}); rename one of the relations or objects")
