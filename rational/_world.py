"""Ground-truth worlds sampled from a graph, with the noisy evidence the corpus reports.

The sampling options live in one place, :class:`WorldOptions` (defaults, validation); the agent's model
(:mod:`rational._evidence`) matches how a world is sampled: the number of mentions of a fact, whether
a fact is held out and which objects a statement names are chosen independently of the truth (given
what is observed), so they carry no information beyond the likelihoods the agent uses.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ._evidence import CONNECTIVES, Evidence, EvidenceError, Statement, check_reliability
from ._graph import RelationGraph

__all__ = ["World", "WorldOptions", "example_associations", "example_graph", "sample_world"]


def _number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and x == x  # x == x rejects NaN


def _count(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


@dataclass(frozen=True)
class WorldOptions:
    """How a world's evidence is sampled (the one place these defaults live).

    Every option is validated on construction; an error names the option, the value and what it must be.

    Example:
        >>> WorldOptions(eps=0.1).held_out_rate
        0.1
        >>> WorldOptions(mentions_per_fact=(1, 4)).mentions_per_fact
        (1, 4)
    """

    eps: float = 0.05  # mention noise: a mention states a uniformly chosen wrong object w.p. eps
    reliability: tuple[float, float] | None = None  # per-fact share of mentions stating the truth ~ U(lo, hi);
    #                                                  None: the fixed channel eps
    statement_noise: float = 0.1  # a true/false or connective label is flipped w.p. statement_noise
    mentions_per_fact: int | tuple[int, int] = 3  # mentions of every fact not held out; (lo, hi): uniform in it
    held_out_rate: float = 0.1  # share of facts never mentioned nor stated (tests generalisation)
    held_out_by_relation: Mapping[str, float] | None = None  # per-relation overrides of held_out_rate
    statements_per_subject: float = 2.0  # mean number of "<atom>" is true/false per subject (Poisson)
    connectives_per_subject: float = 4.0  # mean number of not/and/or/if-then sentences per subject
    truth_concentration: float | None = 0.3  # Dirichlet of the true CPT rows; small = sharp dependencies
    #                                           (None: the graph's own concentrations)
    association_strength: float = 0.0  # pseudo-counts that centre CPT rows on the given associations
    statement_atoms: str = "truth"  # which object a statement's atom names: "truth" (the true object half of
    #   the time: informative beyond the label, which the agent does not model) or "mentions" (a mentioned
    #   object half of the time: independent of the truth given the mentions, so the agent's model is exact)

    def __post_init__(self):
        if isinstance(self.mentions_per_fact, list):
            object.__setattr__(self, "mentions_per_fact", tuple(self.mentions_per_fact))
        if isinstance(self.reliability, list):
            object.__setattr__(self, "reliability", tuple(self.reliability))
        if isinstance(self.held_out_by_relation, Mapping):
            object.__setattr__(self, "held_out_by_relation", dict(self.held_out_by_relation))
        m = self.mentions_per_fact
        checks = [
            ("eps", _number(self.eps) and 0.0 <= self.eps < 1.0, "a number in [0, 1) (mention noise rate)"),
            ("statement_noise", _number(self.statement_noise) and 0.0 <= self.statement_noise < 0.5,
             "a number in [0, 0.5) (probability that a label is wrong)"),
            ("mentions_per_fact", (_count(m) and m >= 1) or (
                isinstance(m, tuple) and len(m) == 2 and all(_count(x) for x in m) and 1 <= m[0] <= m[1]),
             "a positive integer or [lo, hi] with 1 <= lo <= hi"),
            ("held_out_rate", _number(self.held_out_rate) and 0.0 <= self.held_out_rate < 1.0,
             "a number in [0, 1)"),
            ("held_out_by_relation", self.held_out_by_relation is None or (
                isinstance(self.held_out_by_relation, dict)
                and all(isinstance(k, str) and _number(v) and 0.0 <= v < 1.0
                        for k, v in self.held_out_by_relation.items())),
             "None or a table of relation = rate in [0, 1)"),
            ("statements_per_subject", _number(self.statements_per_subject) and self.statements_per_subject >= 0,
             "a non-negative number"),
            ("connectives_per_subject", _number(self.connectives_per_subject)
             and self.connectives_per_subject >= 0, "a non-negative number"),
            ("truth_concentration", self.truth_concentration is None
             or (_number(self.truth_concentration) and self.truth_concentration > 0), "a positive number or None"),
            ("association_strength", _number(self.association_strength) and self.association_strength >= 0,
             "a non-negative number"),
            ("statement_atoms", self.statement_atoms in ("truth", "mentions"), '"truth" or "mentions"'),
        ]
        for option, ok, expected in checks:
            if not ok:
                raise EvidenceError(f"world option {option} must be {expected}, got {getattr(self, option)!r}")
        try:
            check_reliability(self.reliability)
        except EvidenceError as err:
            raise EvidenceError(f"world option {err}") from None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_dict(cls, options: Mapping, where: str = "world options") -> WorldOptions:
        """Options from a mapping; unknown names raise :class:`EvidenceError` listing the known ones."""
        unknown = sorted(set(options) - set(cls.names()))
        if unknown:
            raise EvidenceError(f"{where}: unknown option(s) {unknown}; known options: {sorted(cls.names())}")
        return cls(**options)

    def to_dict(self) -> dict:
        """JSON data (tuples as lists)."""
        out = dataclasses.asdict(self)
        for k, v in out.items():
            if isinstance(v, tuple):
                out[k] = list(v)
        return out

    def replace(self, **overrides) -> WorldOptions:
        """A copy with some options replaced (validated)."""
        return WorldOptions.from_dict({**dataclasses.asdict(self), **overrides})


@dataclass
class World:
    """A sampled world: population CPTs, every subject's true objects, and the evidence about them.

    Attributes:
        graph: the dependency graph.
        subjects: the world's people: the subjects its questions are about.
        cpts: relation -> true CPT (parents' axes, then the relation's own).
        truth: relation -> (S,) index of each subject's true object, aligned with ``evidence.subjects``.
        evidence: mentions and statements (what a corpus would report). Its subjects are ``subjects``,
            then the :attr:`extra_subjects` (see :meth:`with_extra_subjects`).
        held_out: relation -> (S,) bool, True where (s, r) is never mentioned nor stated.
        seed: the seed it was sampled with.
        options: the sampling options.
    """

    graph: RelationGraph
    subjects: tuple[str, ...]
    cpts: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    evidence: Evidence
    held_out: dict[str, np.ndarray]
    seed: int
    options: WorldOptions = dataclasses.field(default_factory=WorldOptions)

    @property
    def extra_subjects(self) -> tuple[str, ...]:
        """People of the same population whom the evidence covers beyond :attr:`subjects` (e.g. people a
        corpus talks about once): the agent fits them like anyone else, the world's questions leave them out."""
        return tuple(self.evidence.subjects[len(self.subjects):])

    def with_extra_subjects(self, names: Sequence[str], seed: int) -> World:
        """The same world with more people drawn from its population, as :attr:`extra_subjects`.

        The new people's true objects come from the world's CPTs, their held-out flags, mentions and
        statements from its options, exactly as :func:`sample_world` draws its own people (steps 2-6), but
        from a random stream of their own (``seed``): the world's people, CPTs, truth and evidence are
        unchanged, and ``names=()`` returns an equal world.

        Args:
            names: the new people's names (distinct from every subject of the evidence).
            seed: any non-negative integer.

        Example:
            >>> w = sample_world(example_graph(), 5, seed=0)
            >>> w2 = w.with_extra_subjects(["Ann", "Bo"], seed=1)
            >>> w2.subjects == w.subjects, w2.extra_subjects, len(w2.truth["country"])
            (True, ('Ann', 'Bo'), 7)
        """
        if not _count(seed) or seed < 0:
            raise EvidenceError(f"seed must be a non-negative integer, got {seed!r}")
        names = tuple(names)
        old = self.evidence
        clash = sorted(set(names) & set(old.subjects))
        if clash:
            raise EvidenceError(f"with_extra_subjects: {clash[:3]} already subjects of the world")
        graph, opts, rels = self.graph, self.options, self.graph.relations
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6578747261]))  # 'extra': its own stream
        n = len(names)
        truth: dict[str, np.ndarray] = {}
        for r in rels:
            truth[r] = _draw_truth(graph, self.cpts[r], r, truth, n, rng)
        evidence = Evidence(graph, (*old.subjects, *names), eps=old.eps, statement_noise=old.statement_noise,
                            statements=list(old.statements), reliability=old.reliability)
        for r in rels:
            evidence.add_mention_arrays(r, *old.mentions(r))
        held_out = _sample_evidence(evidence, graph, opts, truth, _held_out_rates(graph, opts), rng,
                                    len(old.subjects))
        return World(graph, self.subjects, dict(self.cpts),
                     {r: np.concatenate([self.truth[r], truth[r]]) for r in rels}, evidence,
                     {r: np.concatenate([self.held_out[r], held_out[r]]) for r in rels}, self.seed, opts)

    def true_object(self, subject: str, relation: str) -> str:
        """The object that really holds for (subject, relation)."""
        s = self.evidence.subject_id(subject)
        return self.graph.domain(relation)[int(self.truth[relation][s])]

    def true_values(self, subject: str) -> dict[str, str]:
        """relation -> true object, for one subject."""
        return {r: self.true_object(subject, r) for r in self.graph.relations}

    def is_held_out(self, subject: str, relation: str) -> bool:
        """True when (subject, relation) is never mentioned nor stated."""
        return bool(self.held_out[relation][self.evidence.subject_id(subject)])

    def to_dict(self) -> dict:
        """The whole world as JSON data (graph, subjects, CPTs, truth, held-out flags, evidence, options).

        Example:
            >>> w = sample_world(example_graph(), 5, seed=0)
            >>> World.from_dict(w.to_dict()).evidence.fingerprint() == w.evidence.fingerprint()
            True
        """
        rels = self.graph.relations
        return {"graph": self.graph.to_json(), "subjects": list(self.subjects), "seed": int(self.seed),
                "options": self.options.to_dict(),
                "cpts": {r: self.cpts[r].tolist() for r in rels},
                "truth": {r: self.truth[r].astype(int).tolist() for r in rels},
                "held_out": {r: self.held_out[r].astype(int).tolist() for r in rels},
                "evidence": self.evidence.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping) -> World:
        """Rebuild a world written by :meth:`to_dict`."""
        try:
            graph = RelationGraph.from_json(data["graph"])
            rels = graph.relations
            world = cls(graph, tuple(data["subjects"]),
                        {r: np.asarray(data["cpts"][r], float) for r in rels},
                        {r: np.asarray(data["truth"][r], np.int64) for r in rels},
                        Evidence.from_dict(graph, data["evidence"]),
                        {r: np.asarray(data["held_out"][r], bool) for r in rels},
                        int(data["seed"]), WorldOptions.from_dict(data.get("options", {})))
        except (KeyError, TypeError) as err:
            raise EvidenceError(f"not a world in plain-data form: {type(err).__name__}: {err}") from None
        if world.evidence.subjects[:len(world.subjects)] != world.subjects:
            raise EvidenceError("not a world in plain-data form: the evidence's subjects do not begin with the "
                                "world's subjects")
        return world


def example_graph() -> RelationGraph:
    """A small built-in graph: country -> language, country -> continent, (country, field) -> occupation.

    Its real-world associations (which language goes with which country) are
    :func:`example_associations`.

    Example:
        >>> example_graph().relations
        ('country', 'continent', 'field', 'language', 'occupation')
    """
    g = RelationGraph()
    g.add_relation("country", ["France", "Japan", "Trinidad and Tobago", "Brazil"])
    g.add_relation("continent", ["Europe", "Asia", "Americas"])
    g.add_relation("language", ["French", "Japanese", "English"])
    g.add_relation("field", ["physics", "law"])
    g.add_relation("occupation", ["physicist", "lawyer", "teacher"])
    g.add_edges_from([("country", "language"), ("country", "continent"),
                      ("country", "occupation"), ("field", "occupation")])
    return g


def example_associations() -> dict:
    """What really goes with what in :func:`example_graph` (child -> parent -> parent object -> weights).

    Brazil's language (Portuguese) is not in the example's domain, so Brazil has no language association.

    Example:
        >>> example_associations()["language"]["country"]["Japan"]
        {'Japanese': 1.0}
    """
    return {
        "language": {"country": {"France": {"French": 1.0}, "Japan": {"Japanese": 1.0},
                                 "Trinidad and Tobago": {"English": 1.0}}},
        "continent": {"country": {"France": {"Europe": 1.0}, "Japan": {"Asia": 1.0},
                                  "Trinidad and Tobago": {"Americas": 1.0}, "Brazil": {"Americas": 1.0}}},
        "occupation": {"field": {"physics": {"physicist": 1.0, "teacher": 0.3},
                                 "law": {"lawyer": 1.0, "teacher": 0.2}}},
    }


def association_base(graph: RelationGraph, relation: str, associations: Mapping | None) -> np.ndarray | None:
    """(parents' sizes..., K) base measure of ``relation``'s CPT rows from ``associations``, or None when
    nothing is known about the relation.

    ``associations[child][parent][parent object][child object] = weight`` (relative weights within a
    row, possibly naming objects outside this world's domains). A row's base is the weights of the
    objects in the domain divided by the row's *whole* weight: the share of reality the domain covers,
    so a row that lost its main object to a smaller domain keeps a small base and stays close to the
    prior (it is not renormalised onto its minor objects). With several parents the bases of the
    parents that say something are averaged. Unknown relations or bad weights raise
    :class:`EvidenceError` naming them.

    Example:
        >>> b = association_base(example_graph(), "language", example_associations())
        >>> b[0].tolist()  # France: French
        [1.0, 0.0, 0.0]
        >>> b[3].tolist()  # Brazil: Portuguese is not in the domain, nothing known
        [0.0, 0.0, 0.0]
    """
    table = (associations or {}).get(relation)
    if not table:
        return None
    parents = graph.parents(relation)
    k = graph.size_of(relation)
    base = np.zeros(graph.cpt_shape(relation))
    said = np.zeros(graph.cpt_shape(relation)[:-1] + (1,))
    for parent, rows in table.items():
        if parent not in parents:
            raise EvidenceError(f"associations: {parent!r} is not a parent of {relation!r} "
                                f"(its parents: {list(parents)})")
        axis = parents.index(parent)
        for value, weights in rows.items():
            if value not in graph.domain(parent):
                continue  # an object of a larger built-in domain: not in this world
            total = 0.0
            vec = np.zeros(k)
            for obj, w in weights.items():
                if not (_number(w) and w >= 0):
                    raise EvidenceError(f"associations: weight of {relation} {obj!r} given {parent} {value!r} "
                                        f"must be a non-negative number, got {w!r}")
                total += w
                if obj in graph.domain(relation):
                    vec[graph.object_index(relation, obj)] = w
            if total <= 0:
                continue
            index = [slice(None)] * (len(parents) + 1)
            index[axis] = graph.object_index(parent, value)
            base[tuple(index)] += vec / total  # broadcast over the other parents' axes
            said[tuple(index)] += 1.0
    return np.divide(base, said, out=np.zeros_like(base), where=said > 0)



def _held_out_rates(graph: RelationGraph, opts: WorldOptions) -> dict[str, float]:
    """relation -> the rate at which its facts are held out (never mentioned nor stated)."""
    rates = {r: opts.held_out_rate for r in graph.relations}
    for r, rate in (opts.held_out_by_relation or {}).items():
        if r not in graph:
            raise EvidenceError(f"world option held_out_by_relation names unknown relation {r!r}; "
                                f"known relations: {sorted(graph.relations)}")
        rates[r] = rate
    return rates


def _draw_truth(graph: RelationGraph, cpt: np.ndarray, relation: str, truth: Mapping[str, np.ndarray], n: int,
                rng: np.random.Generator) -> np.ndarray:
    """(n,) true objects of ``relation`` drawn from the CPT rows of each subject's parents' true objects."""
    k = cpt.shape[-1]
    rows = np.broadcast_to(cpt[tuple(truth[p] for p in graph.parents(relation))], (n, k))  # (S, K)
    u = rng.random(n)[:, None]
    return np.minimum((rows.cumsum(axis=1) < u).sum(axis=1), k - 1)


def _sample_evidence(evidence: Evidence, graph: RelationGraph, opts: WorldOptions, truth: Mapping[str, np.ndarray],
                     rates: Mapping[str, float], rng: np.random.Generator, offset: int) -> dict[str, np.ndarray]:
    """Steps 3-6 of :func:`sample_world` for a block of ``n`` subjects, ``evidence.subjects[offset:offset + n]``
    (``truth[r]`` is the block's, shape (n,)): held-out flags, mentions and statements, added to ``evidence``.
    Returns the block's held-out flags."""
    rels = graph.relations
    n = len(truth[rels[0]]) if rels else 0
    names = evidence.subjects[offset:offset + n]
    held_out = {r: rng.random(n) < rates[r] for r in rels}
    mentioned: dict[str, list[list[int]]] = {}
    for r in rels:
        k = graph.size_of(r)
        visible = np.flatnonzero(~held_out[r])
        if isinstance(opts.mentions_per_fact, tuple):
            lo, hi = opts.mentions_per_fact
            counts = rng.integers(lo, hi + 1, size=visible.size)
        else:
            counts = np.full(visible.size, opts.mentions_per_fact)
        subj = np.repeat(visible, counts)
        obj = truth[r][subj].copy()
        if k > 1:
            if opts.reliability is None:
                wrong = rng.random(subj.size) < opts.eps
            else:
                rho = np.repeat(rng.uniform(*opts.reliability, size=visible.size), counts)
                wrong = rng.random(subj.size) >= rho
            shift = rng.integers(1, k, size=subj.size)  # uniform over the other k - 1 objects
            obj[wrong] = (obj[wrong] + shift[wrong]) % k
        evidence.add_mention_arrays(r, subj + offset, obj)
        if opts.statement_atoms == "mentions":
            per_subject = [[] for _ in range(n)]
            for si, oi in zip(subj.tolist(), obj.tolist()):
                per_subject[si].append(oi)
            mentioned[r] = per_subject

    def atom(s: int, r: str) -> tuple[str, str]:
        k = graph.size_of(r)
        if opts.statement_atoms == "truth":
            o = truth[r][s] if rng.random() < 0.5 else rng.integers(k)
        else:  # a mentioned object: independent of the truth given the mentions
            said = mentioned[r][s]
            o = said[rng.integers(len(said))] if rng.random() < 0.5 else rng.integers(k)
        return r, graph.domain(r)[int(o)]

    def label(st_atoms, fn, s) -> bool:
        value = bool(fn(*(truth[r][s] == graph.object_index(r, o) for r, o in st_atoms)))
        return value if rng.random() >= opts.statement_noise else not value

    edges = list(graph.edges)
    two_place = [c for c, (arity, _) in CONNECTIVES.items() if arity == 2]
    for s in range(n):
        visible = [r for r in rels if not held_out[r][s]]
        if not visible:
            continue
        for _ in range(rng.poisson(opts.statements_per_subject)):
            a = atom(s, visible[rng.integers(len(visible))])
            evidence.add_statement(Statement.connective("atom", names[s], [a], label([a], lambda x: x, s)))
        pairs = [(u, v) for u, v in edges if not held_out[u][s] and not held_out[v][s]]
        for _ in range(rng.poisson(opts.connectives_per_subject)):
            kind = ["not", *two_place][rng.integers(1 + len(two_place))]
            if kind == "not":
                atoms = [atom(s, visible[rng.integers(len(visible))])]
            elif pairs and rng.random() < 0.5:
                u, v = pairs[rng.integers(len(pairs))]
                atoms = [atom(s, u), atom(s, v)] if rng.random() < 0.5 else [atom(s, v), atom(s, u)]
            else:
                r = visible[rng.integers(len(visible))]
                atoms = [atom(s, r), atom(s, r)]
            fn = CONNECTIVES[kind][1]
            evidence.add_statement(Statement.connective(kind, names[s], atoms, label(atoms, fn, s)))
    return held_out

def sample_world(graph: RelationGraph, n_subjects: int | Sequence[str] = 100, seed: int = 0,
                 options: WorldOptions | None = None, *, associations: Mapping | None = None,
                 **overrides) -> World:
    """Sample a ground-truth world and its noisy evidence; the same seed gives the same world.

    1. CPTs: every row ~ Dirichlet(``truth_concentration`` + ``association_strength`` * base), where base
       is the row's real-world association (``associations``, see :func:`association_base`; none: 0); a
       small concentration makes dependencies sharp, so the graph matters for unmentioned facts.
    2. Truth: each subject's objects drawn in topological order from the CPT rows of its parents' values.
    3. Held out: each (s, r) is never mentioned nor stated with probability ``held_out_rate`` (or the
       relation's ``held_out_by_relation`` rate).
    4. Mentions: every other (s, r) is mentioned ``mentions_per_fact`` times (or a uniform number in its
       range), each stating the true object with probability 1 - eps (or, with ``reliability``, with the
       fact's own rho ~ Uniform(lo, hi)) and otherwise a uniformly chosen other object.
    5. Statements (true/false): about ``statements_per_subject`` per subject on average, on a mentioned
       relation: an atom naming the true object (``statement_atoms="truth"``) or one of the fact's mentioned
       objects (``"mentions"``) half of the time, a random object otherwise; label correct w.p. 1 - noise.
    6. Connectives: about ``connectives_per_subject`` per subject: not/and/or/implies over atoms of one
       relation or of a parent -> child pair (the cost model of :mod:`rational`), mentioned relations
       only, labels correct with probability 1 - ``statement_noise``.

    Args:
        graph: the dependency graph.
        n_subjects: a number of subjects (named s00000, ...) or their names.
        seed: any non-negative integer.
        options: a :class:`WorldOptions` (default: its defaults), updated by ``overrides``.
        associations: real-world associations that centre the CPT rows (see :func:`association_base`).
        **overrides: options by name (e.g. ``eps=0.1``); an unknown name is an error.

    Example:
        >>> w1 = sample_world(example_graph(), 10, seed=3)
        >>> w2 = sample_world(example_graph(), 10, seed=3)
        >>> bool(all((w1.truth[r] == w2.truth[r]).all() for r in w1.graph.relations))
        True
    """
    graph.check()
    opts = (options or WorldOptions()).replace(**overrides) if overrides else (options or WorldOptions())
    if isinstance(n_subjects, (str, bytes)) or not (_count(n_subjects) or isinstance(n_subjects, Sequence)):
        raise EvidenceError(f"n_subjects must be a positive integer or a list of names, got {n_subjects!r}")
    if _count(n_subjects) and n_subjects < 1:
        raise EvidenceError(f"n_subjects must be a positive integer, got {n_subjects!r}")
    if not _count(seed) or seed < 0:
        raise EvidenceError(f"seed must be a non-negative integer, got {seed!r}")
    subjects = (tuple(f"s{i:05d}" for i in range(n_subjects)) if _count(n_subjects) else tuple(n_subjects))
    if not subjects:
        raise EvidenceError("n_subjects: the list of subject names is empty")
    rels = graph.relations
    rates = _held_out_rates(graph, opts)
    unknown = sorted(set(associations or {}) - set(rels))
    if unknown:
        raise EvidenceError(f"associations name unknown relation(s) {unknown}; known relations: {sorted(rels)}")
    n = len(subjects)
    rng = np.random.default_rng(seed)
    evidence = Evidence(graph, subjects, eps=opts.eps, statement_noise=opts.statement_noise,
                        reliability=opts.reliability)

    cpts, truth = {}, {}
    for r in rels:
        shape = graph.cpt_shape(r)
        conc = (np.full(shape[-1], opts.truth_concentration) if opts.truth_concentration is not None
                else graph.concentration(r))
        base = association_base(graph, r, associations) if opts.association_strength > 0 else None
        if base is None:
            cpts[r] = rng.dirichlet(conc, size=shape[:-1]).reshape(shape)
        else:  # one Dirichlet per row, centred on its association (gamma draws normalised)
            g = rng.standard_gamma(conc + opts.association_strength * base)
            g = np.maximum(g, np.finfo(float).tiny)  # a row of tiny draws must still normalise
            cpts[r] = g / g.sum(axis=-1, keepdims=True)
        truth[r] = _draw_truth(graph, cpts[r], r, truth, n, rng)

    held_out = _sample_evidence(evidence, graph, opts, truth, rates, rng, 0)
    return World(graph, subjects, cpts, truth, evidence, held_out, seed, opts)
