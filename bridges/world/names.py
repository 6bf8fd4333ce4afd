"""Synthetic people: unique, realistic-looking names drawn from a seed.

Names are ``"<given> <family>"`` pairs from culturally mixed lists (about 28,000 pairs); beyond that a
middle name is added (``"<given> <middle> <family>"``, millions of triples). No name contains a
connective word of the corpus language (``and``, ``or``, ``not``, ``if``, ``then``) or a character that
the corpus reserves (``.`` ``"`` ``<`` ``>``), so sentences about them parse back unambiguously.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RESERVED_CHARACTERS", "InvalidNameError", "check_name", "check_vocabulary", "more_person_names",
           "person_names"]

_GIVEN = (
    "Aaliyah Abebe Adaeze Adrian Agnieszka Ahmed Aiko Aisha Akira Alejandro Aleksander Alessia Amara "
    "Amir Ana Anders Andrea Anika Anton Arjun Astrid Aurelio Ayesha Beatriz Bilal Bjorn Bruno Camille "
    "Carlos Carmen Chen Chiara Chidi Clara Dalia Daniel Daniela Darius Dmitri Elena Elif Elijah Emeka "
    "Emil Emma Esther Farah Fatima Felipe Freya Gabriel Giulia Grace Hana Hannah Hamza Haruto Hassan "
    "Helena Hiroshi Hugo Ibrahim Ines Ingrid Isabel Ivan Jamal Javier Jin Joao Jonas Jorge Julia "
    "Kamala Karim Katarzyna Kenji Kofi Lars Layla Leila Leon Liam Lina Lucas Lucia Luis Magnus Mai "
    "Malik Marco Maria Marta Mateo Maya Mehmet Mei Miguel Mina Mohammed Nadia Naledi Naveen Nia "
    "Nikolai Nina Noor Olga Oliver Omar Oscar Pablo Paolo Priya Rafael Rania Ravi Rosa Ruth Sakura "
    "Samir Santiago Sara Sebastian Sofia Soren Sun Tariq Thabo Tomas Valentina Viktor Wei Yara Yusuf "
    "Zainab Zara Abdul Adele Alma Ama Anwar Aryan Bao Caio Cyrus Diego Dora Eitan Eun Femi Gita Goran "
    "Hye Idris Imani Jaya Kai Kwame Lena Ling Mariam Nasser Obinna Pedro Rohan Selin Taro Uma Wanjiru"
).split()

_FAMILY = (
    "Abara Adeyemi Aguilar Ahmadi Alvarez Andersen Andersson Araujo Bakker Banerjee Becker Bianchi "
    "Bogdan Bondarenko Brandt Castillo Chatterjee Chen Costa Cruz Dahl Das Delgado Diallo Dubois Duarte "
    "Eriksson Esposito Farouk Fernandes Ferrari Fischer Fontaine Garcia Gomez Goncalves Gupta Haddad "
    "Hansen Hashemi Hernandez Horvath Hussain Ibrahim Iyer Jansen Jensen Jimenez Kaminski Kapoor Karimi "
    "Kato Keller Khan Kim Kobayashi Koch Kowalski Kumar Larsen Laurent Lee Lehmann Lindqvist Lopez "
    "Lund Mahlangu Malik Marino Martin Mendes Mensah Meyer Molina Moreau Moreno Mukherjee Murphy "
    "Nakamura Narayan Navarro Ndlovu Nguyen Nielsen Novak Nowak Nunez Obi Odhiambo Okafor Okonkwo "
    "Oliveira Ortega Osei Park Patel Pereira Petrov Popescu Quispe Rahman Ramos Reddy Reyes Ricci "
    "Rivera Romano Rossi Sahin Saito Santos Sato Schmidt Schneider Shapiro Silva Singh Sokolov Suarez "
    "Suzuki Tanaka Tran Varga Vasquez Volkov Wagner Wang Weber Yamamoto Yilmaz Zhang Zhou Zielinski "
    "Acheampong Afolabi "
    "Alaoui Baptiste Bergstrom Cardoso Demir Ekstrom Fujita Guerrero Halvorsen Hoang Ishikawa Jovanovic "
    "Kariuki Kovacs Lam Mbeki Medina Mwangi Nair Ogunleye Pham Rao Salazar Takahashi Toure Ueda Vargas "
    "Walczak Yadav"
).split()


def person_names(n: int, seed: int = 0) -> tuple[str, ...]:
    """``n`` distinct person names, a deterministic function of ``seed``.

    Args:
        n: how many names (at most a few million).
        seed: any integer; the same seed gives the same names in the same order.

    Returns:
        A tuple of ``n`` unique names such as ``"Amara Lindqvist"``.

    Raises:
        ValueError: if ``n`` is negative or exceeds the number of distinct names available.

    Example:
        >>> names = person_names(3, seed=1)
        >>> len(set(names)), names == person_names(3, seed=1)
        (3, True)
    """
    if n < 0:
        raise ValueError(f"number of names must be non-negative, got {n}")
    g, f = len(_GIVEN), len(_FAMILY)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6E616D65]))  # 'name': names own a stream
    if n <= g * f // 2:  # two-part names stay sparse in their space, so they still look varied
        idx = rng.choice(g * f, size=n, replace=False)
        return tuple(f"{_GIVEN[i // f]} {_FAMILY[i % f]}" for i in idx.tolist())
    space = g * g * f
    if n > space // 2:
        raise ValueError(f"cannot draw {n:,} distinct person names: at most {space // 2:,} are available")
    idx = rng.choice(space, size=n, replace=False)
    out = []
    for i in idx.tolist():
        first, rest = divmod(i, g * f)
        middle, family = divmod(rest, f)
        out.append(f"{_GIVEN[first]} {_GIVEN[middle]} {_FAMILY[family]}")
    return tuple(out)


def more_person_names(n: int, seed: int, exclude=(), words=None) -> tuple[str, ...]:
    """``n`` more distinct person names, none of them in ``exclude``: people added to a world (its one-off
    people) or new people to ask about (whose names recombine known name words).

    Names are ``"<given> <family>"`` pairs in a random order (their own random stream, so the same
    arguments give the same names), then, when the pairs run out, ``"<given> <middle> <family>"``
    triples.

    Args:
        n: how many names.
        seed: any integer.
        exclude: names that must not be drawn (e.g. every subject of the corpus).
        words: if given, only name words in it are used (e.g. the words of a tokenizer's vocabulary).

    Raises:
        ValueError: ``n`` is negative, or there are not that many names left.

    Example:
        >>> taken = person_names(5, seed=0)
        >>> new = more_person_names(3, seed=1, exclude=taken)
        >>> len(set(new)), set(new) & set(taken)
        (3, set())
    """
    if n < 0:
        raise ValueError(f"number of names must be non-negative, got {n}")
    allowed = None if words is None else set(words)
    given = [w for w in _GIVEN if allowed is None or w in allowed]
    family = [w for w in _FAMILY if allowed is None or w in allowed]
    exclude = set(exclude)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6D6F7265]))  # 'more': a stream of its own
    g, f = len(given), len(family)
    out: list[str] = []
    seen: set[str] = set()
    for i in rng.permutation(g * f).tolist():
        if len(out) == n:
            break
        name = f"{given[i // f]} {family[i % f]}"
        if name not in exclude and name not in seen:
            out.append(name)
            seen.add(name)
    space = g * g * f
    tries = 0
    while len(out) < n and tries < 20:
        tries += 1
        for i in rng.choice(space, size=min(space, 2 * (n - len(out)) + 16), replace=False).tolist():
            first, rest = divmod(i, g * f)
            name = f"{given[first]} {given[rest // f]} {family[rest % f]}"
            if name not in exclude and name not in seen:
                out.append(name)
                seen.add(name)
                if len(out) == n:
                    break
    if len(out) < n:
        raise ValueError(f"cannot draw {n:,} more distinct person names (got {len(out):,})")
    return tuple(out)


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
