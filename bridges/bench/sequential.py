"""Sequential editing: N edit requests applied one after another to one agent, judged against the rational
agent applying the same N edits under each rule.

The field's most requested editing mode (many edits to one model, evaluated after all of them) is where an
exact reference is worth most: under ``bayes`` the agent's final beliefs do not depend on the order of the
edits; under ``jeffrey`` they do; an LM's do, and it drifts. :func:`draw_sequence` draws the edits so that
order can matter: a few edits per person, on relations that depend on each other, interleaved.
:func:`run_sequence` applies them and measures, after edit 1 and at checkpoints (1, 10, 50, 100 by default):

* **retention**: P(o*_i) now against P(o*_i) right after edit i, for every earlier edit i;
* **efficacy**: P(o*_t) right after edit t;
* **downstream shift captured**: the slope of the agent's change of the downstream beliefs of every edited
  person (since before any edit) against the rational agent's change after the same edits;
* **drift**: the agent's accuracy (top answer = the rational agent's) on facts of people never edited;
* **coherence**: the mean axiom violation on sentences about the first edited people.

In **batch mode** (methods that can take many requests in one update), the first t requests go in one update
at each checkpoint t instead. For the rational agent, :func:`order_effect` applies the same edits in reverse
order and reports how far the final beliefs move: zero (to rounding) under ``bayes``, not under ``jeffrey``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from .evaluate import edit_seed
from .protocol import Believer, EditRequest, JointEditor, Taught, top
from .summary import interval, slope_through_origin

__all__ = ["SequentialConfig", "draw_sequence", "judge", "order_effect", "run_sequence"]


@dataclass(frozen=True)
class SequentialConfig:
    """The ``[sequential]`` section: how many edits, on whom, and which methods in which mode.

    Example:
        >>> SequentialConfig(n_edits=10, checkpoints=(1, 5, 10)).checkpoints
        (1, 5, 10)
    """

    n_edits: int = 100  # edits applied one after another, at most (a world of fewer than n_edits / per_person
    #                     people gives per_person edits per person); 0: no sequential stage
    checkpoints: tuple[int, ...] = (1, 10, 50, 100)  # after how many edits everything is measured
    per_person: int = 2  # edits per person, on an upstream relation and one of its descendants (order matters)
    methods: tuple[str, ...] = ("lora", "ft")  # LM edit methods applied one after another (memit: examples/sequential.toml)
    batch_methods: tuple[str, ...] = ("lora",)  # LM edit methods that also take the first t edits in one update
    rules: tuple[str, ...] = ("bayes", "jeffrey")  # the rational agent's rules (the first is the reference)
    other_facts: int = 300  # facts of people never edited, tracked for drift
    logic_people: int = 5  # edited people whose sentences are checked for coherence at each checkpoint
    seed: int = 0  # which people, relations and objects, and their order

    def __post_init__(self):
        for name in ("checkpoints", "methods", "batch_methods", "rules"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.n_edits < 0 or self.per_person < 1 or self.other_facts < 0 or self.logic_people < 0 or self.seed < 0:
            raise ValueError("n_edits, other_facts, logic_people and seed must be >= 0, per_person >= 1")
        if self.n_edits and (not self.checkpoints or min(self.checkpoints) < 1 or max(self.checkpoints) > self.n_edits
                             or list(self.checkpoints) != sorted(set(self.checkpoints))):
            raise ValueError(f"checkpoints must be increasing edit counts in [1, n_edits = {self.n_edits}], got "
                             f"{list(self.checkpoints)}")
        if not self.rules:
            raise ValueError("rules must name at least one update rule")


def draw_sequence(world, model: Believer, config: SequentialConfig) -> list[EditRequest]:
    """``n_edits`` requests, ``per_person`` per person: an upstream relation with descendants, then that many
    of its descendants, each to an object other than ``model``'s top answer; people's edits interleaved in a
    seeded random order (so a person's edits are apart, and some downstream edits come before their
    upstream one).

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> seq = draw_sequence(world, agent, SequentialConfig(n_edits=6, checkpoints=(3, 6)))
        >>> len(seq), len({(r.subject, r.relation) for r in seq}), len({r.subject for r in seq})
        (6, 6, 3)
        >>> len(draw_sequence(world, agent, SequentialConfig(n_edits=100)))  # 20 people, 2 edits each: at most 40
        40
    """
    rng = np.random.default_rng([config.seed, 0x736571])  # 'seq': its own stream
    g = world.graph
    rels = g.relations
    chains = [(r, sorted(nx.descendants(g, r), key=rels.index)) for r in rels]
    chains = [(r, d) for r, d in chains if len(d) >= config.per_person - 1]
    if not chains and config.n_edits:
        raise ValueError(f"no relation has {config.per_person - 1} descendants: lower [sequential] per_person")
    n_people = min(-(-config.n_edits // config.per_person), len(world.subjects))
    people = [world.subjects[int(i)] for i in rng.choice(len(world.subjects), n_people, replace=False)]
    pairs = []
    for s in people:
        up, down = chains[int(rng.integers(len(chains)))]
        picked = [up] + [down[int(i)] for i in rng.choice(len(down), config.per_person - 1, replace=False)]
        pairs += [(s, r) for r in picked]
    pairs = pairs[: config.n_edits]
    tops = model.distributions(pairs)[0]
    out = []
    for (s, r), d in zip(pairs, tops):
        choices = [o for k, o in enumerate(g.domain(r)) if k != int(np.argmax(d))]
        out.append(EditRequest(s, r, choices[int(rng.integers(len(choices)))]))
    return [out[int(i)] for i in rng.permutation(len(out))]


def _p(believer: Believer, requests: Sequence[EditRequest]) -> list[float]:
    d = believer.distributions([(r.subject, r.relation) for r in requests])[0]
    return [float(x[list(believer.domain(r.relation)).index(r.obj)]) for x, r in zip(d, requests)]


def _downstream(world, requests: Sequence[EditRequest]) -> tuple[list[tuple[str, str]], list[int]]:
    """The edited people's downstream (subject, relation) pairs that no request edits, and the person of each."""
    g = world.graph
    edited = {(r.subject, r.relation) for r in requests}
    people = list(dict.fromkeys(r.subject for r in requests))
    pairs, owner = [], []
    for r in requests:
        for x in sorted(nx.descendants(g, r.relation), key=g.relations.index):
            if (r.subject, x) not in edited and (r.subject, x) not in pairs:
                pairs.append((r.subject, x))
                owner.append(people.index(r.subject))
    return pairs, owner


def _logic(believer: Believer, world, reference: Believer, requests: Sequence[EditRequest]) -> float | None:
    """Mean axiom violation (over every check and sentence) on the edits of the first people."""
    from coherence import Atom, axiom_queries, check_axioms

    if not requests:
        return None
    bases = [Atom(r.subject, r.relation, r.obj) for r in requests]
    tops = reference.distributions([(r.subject, r.relation) for r in requests])[0]
    bases += [Atom(r.subject, r.relation, reference.domain(r.relation)[int(np.argmax(t))])
              for r, t in zip(requests, tops) if reference.domain(r.relation)[int(np.argmax(t))] != r.obj]
    asked = axiom_queries(bases)
    lookup = dict(zip(asked, believer.sentence_probabilities(asked)))
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    report = check_axioms(bases, prob_many=lambda ss: [lookup[x] for x in ss], domains=domains)
    values = [c.mean_violation for c in report.checks.values() if c.count]
    return float(np.mean(values)) if values else None


def _measure(agent: Believer, base: Believer, reference: Believer, ref_base: Believer, world,
             requests: Sequence[EditRequest], right_after: Sequence[float] | None, others: Sequence[tuple[str, str]],
             ref_others: Sequence[np.ndarray], logic_requests: Sequence[EditRequest]) -> dict[str, Any]:
    """Everything measured after the edits ``requests`` (see the module docstring)."""
    now = _p(agent, requests)
    out: dict[str, Any] = {"edits": len(requests), "efficacy": interval(now)}
    if right_after is not None:
        out["retention"] = interval(now)
        out["retention_change"] = interval(np.subtract(now, right_after).tolist(), bounds=(-1.0, 1.0))
    pairs, owner = _downstream(world, requests)
    if pairs:
        ref_pre, ref_post = ref_base.distributions(pairs)[0], reference.distributions(pairs)[0]
        pre, post = base.distributions(pairs)[0], agent.distributions(pairs)[0]
        tops = [int(np.argmax(y)) for y in ref_post]
        x = [float(y[k] - y0[k]) for y, y0, k in zip(ref_post, ref_pre, tops)]
        y = [float(a[k] - a0[k]) for a, a0, k in zip(post, pre, tops)]
        out["downstream_shift"] = slope_through_origin(x, y, owner)
    if others:
        mine = agent.distributions(others)[0]
        out["other_accuracy"] = interval([float(top(a) == np.argmax(b)) for a, b in zip(mine, ref_others)],
                                         proportion=True)
    violation = _logic(agent, world, reference, logic_requests)
    if violation is not None:
        out["coherence_violation"] = violation
    return out


def run_sequence(world, references: Mapping[str, Believer], agents: Mapping[str, Believer],
                 requests: Sequence[EditRequest], config: SequentialConfig,
                 batch_agents: Mapping[str, Believer] | None = None, progress=None, teacher: str | None = None
                 ) -> dict[str, Any]:
    """Apply ``requests`` one after another to every agent and reference; measure at the checkpoints.

    Args:
        world: the :class:`rational.World`.
        references: the rational agent under each rule, by name (the first is what agents are judged against).
        agents: the believers under test, by name; each edit starts from the previous result. An agent that
            is taught (:class:`bridges.bench.protocol.Taught`) is taught by the reference named ``teacher``
            (default: the first) as it stands before each edit.
        requests: the sequence (:func:`draw_sequence`).
        config: checkpoints, drift facts, logic people, seed.
        batch_agents: believers that take the first t requests in ONE edit at each checkpoint t (batch mode).
        progress: anything with ``update(n)``, told after each sequential edit.

    Returns:
        ``{"requests", "checkpoints", "agents": {name: {"mode", "right_after", "at": [per checkpoint]}},
        "references": {name: {"at": [...]}}}`` (JSON-ready).
    """
    people = list(dict.fromkeys(r.subject for r in requests))
    edited_people = set(people)
    rng = np.random.default_rng([config.seed, 0x6F7468])  # 'oth'
    pool = [(s, r) for s in world.subjects if s not in edited_people for r in world.graph.relations]
    others = [pool[int(i)] for i in rng.choice(len(pool), min(config.other_facts, len(pool)), replace=False)] \
        if pool else []
    first = next(iter(references))
    ref_base = references[first]
    ref_others = ref_base.distributions(others)[0] if others else []
    logic_people = set(people[: config.logic_people])
    checkpoints = [c for c in config.checkpoints if c < len(requests)] + [len(requests)]  # a smaller world: fewer

    # the rational agent under each rule, edited one request after another
    ref_at: dict[str, list] = {u: [] for u in references}
    teacher = teacher or first
    if teacher not in references:
        raise ValueError(f"the teacher {teacher!r} is not one of the references {list(references)}")
    ref_steps: list[Believer] = []  # the first reference after each edit (what agents are judged against)
    teach_steps: list[Believer] = []  # the teacher after each edit
    current = dict(references)
    for t, r in enumerate(requests, 1):
        current = {u: b.edit(r, edit_seed(config.seed, t)) for u, b in current.items()}
        ref_steps.append(current[first])
        teach_steps.append(current[teacher])
        if t in checkpoints:
            done = requests[:t]
            logic = [x for x in done if x.subject in logic_people]
            for u, b in current.items():
                ref_at[u].append(_measure(b, references[u], current[first], ref_base, world, done, None, others,
                                          ref_others, logic))
    out: dict[str, Any] = {"requests": [asdict(r) for r in requests], "checkpoints": checkpoints, "agents": {},
                           "references": {u: {"at": at} for u, at in ref_at.items()}}

    # every agent, edited one request after another
    for name, base in agents.items():
        agent, right_after, at = base, [], []
        for t, r in enumerate(requests, 1):
            if isinstance(agent, Taught):
                agent = agent.taught_by(teach_steps[t - 2] if t > 1 else references[teacher])
            agent = agent.edit(r, edit_seed(config.seed, t))
            right_after += _p(agent, [r])
            if t in checkpoints:
                done = requests[:t]
                logic = [x for x in done if x.subject in logic_people]
                at.append(_measure(agent, base, ref_steps[t - 1], ref_base, world, done, right_after, others,
                                   ref_others, logic))
            if progress is not None:
                progress.update(1)
        out["agents"][name] = {"mode": "sequential", "right_after": right_after, "at": at}

    # batch mode: the first t requests in one update
    for name, base in (batch_agents or {}).items():
        if not isinstance(base, JointEditor):
            raise ValueError(f"{name} cannot take many requests in one edit (no edit_together): drop it from "
                             "[sequential] batch_methods")
        at = []
        for t in checkpoints:
            done = requests[:t]
            agent = base.taught_by(references[teacher]) if isinstance(base, Taught) else base
            agent = agent.edit_together(done, edit_seed(config.seed, 10**6 + t))  # its own seeds
            logic = [x for x in done if x.subject in logic_people]
            at.append(_measure(agent, base, ref_steps[t - 1], ref_base, world, done, None, others, ref_others, logic))
        out["agents"][f"{name} (batch)"] = {"mode": "batch", "at": at}
    return out


def judge(world, reference: Believer, base: Believer, edited: Believer, requests: Sequence[EditRequest],
          config: SequentialConfig = SequentialConfig()) -> dict[str, Any]:
    """How an agent edited with ``requests`` elsewhere (``edited``, ``base`` before) compares with the rational
    agent after the same edits (``reference`` before them, edited one after another): efficacy, downstream shift
    captured, other people's accuracy and coherence, as at a checkpoint of :func:`run_sequence`.

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> ref = bridges.BayesBeliever(rational.fit(world))
        >>> reqs = draw_sequence(world, ref, SequentialConfig(n_edits=2, checkpoints=(2,)))
        >>> after = ref.edit(reqs[0]).edit(reqs[1])
        >>> round(judge(world, ref, ref, after, reqs)["efficacy"]["mean"], 9)
        1.0
    """
    people = {r.subject for r in requests}
    rng = np.random.default_rng([config.seed, 0x6F7468])
    pool = [(s, r) for s in world.subjects if s not in people for r in world.graph.relations]
    others = [pool[int(i)] for i in rng.choice(len(pool), min(config.other_facts, len(pool)), replace=False)] \
        if pool else []
    after = reference
    for t, r in enumerate(requests, 1):
        after = after.edit(r, edit_seed(config.seed, t))
    logic = [r for r in requests if r.subject in list(dict.fromkeys(x.subject for x in requests))[: config.logic_people]]
    return _measure(edited, base, after, reference, world, list(requests), None, others,
                    reference.distributions(others)[0] if others else [], logic)


def order_effect(references: Mapping[str, Believer], requests: Sequence[EditRequest], relations: Sequence[str],
                 seed: int = 0) -> dict[str, float]:
    """Per rule: the largest change of any edited person's belief when the same edits are applied in reverse
    order (0 to rounding for rules whose result does not depend on order, such as ``bayes``).

    Example:
        >>> import rational, bridges
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=0))
        >>> s = post.subjects[0]
        >>> reqs = [EditRequest(s, "country", "Japan"), EditRequest(s, "language", "French")]
        >>> refs = {b.name: b for b in (bridges.BayesBeliever(post, u) for u in ("bayes", "jeffrey"))}
        >>> effect = order_effect(refs, reqs, post.graph.relations)
        >>> effect["bayes:bayes"] < 1e-12 < effect["bayes:jeffrey"]
        True
    """
    people = list(dict.fromkeys(r.subject for r in requests))
    queries = [(s, x) for s in people for x in relations]
    out = {}
    for u, b in references.items():
        forward, backward = b, b
        for t, r in enumerate(requests, 1):
            forward = forward.edit(r, edit_seed(seed, t))
        for t, r in enumerate(reversed(requests), 1):
            backward = backward.edit(r, edit_seed(seed, t))
        f, k = forward.distributions(queries)[0], backward.distributions(queries)[0]
        out[u] = max(float(np.abs(a - c).max()) for a, c in zip(f, k)) if queries else 0.0
    return out
