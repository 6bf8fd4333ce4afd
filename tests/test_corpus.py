"""The corpus: format, shuffles, atomic writing, and the correspondence with the rational agent's evidence."""

import hashlib
import json
from collections import Counter

import numpy as np
import pytest

import bridges
import coherence
import lm
import rational
from bridges import CorpusError


@pytest.fixture(scope="module")
def tiny_world():
    return bridges.build_world("tiny", seed=0)


@pytest.fixture(scope="module")
def tiny_corpus(tiny_world, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    summary = bridges.write_corpus(tiny_world, out, shuffles=3, chunk=8, world_name="tiny", quiet=True)
    return out, summary


def _mention_multiset(evidence):
    out = Counter()
    for r in evidence.graph.relations:
        s, o = evidence.mentions(r)
        out.update((evidence.subjects[i], r, evidence.graph.domain(r)[j]) for i, j in zip(s.tolist(), o.tolist()))
    return out


def _documents(out):
    return [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def test_correspondence_sentence_by_sentence_and_posterior(tiny_world, tiny_corpus):
    """The corpus holds exactly world.evidence: each item renders to one sentence that parses back to it,
    and the agent fitted on the parsed corpus equals the agent fitted on world.evidence (to 1e-9)."""
    out, _ = tiny_corpus
    ev = tiny_world.evidence
    vocab = coherence.Vocabulary(ev.subjects, {r: ev.graph.domain(r) for r in ev.graph.relations})
    kinds = Counter()
    for st in ev.statements:  # sentence by sentence: render, parse, compare with the original item
        text = coherence.render_statement(bridges.sentence_of_statement(st), st.label)
        back = bridges.statement_of_sentence(*coherence.parse_statement(text, vocab))
        assert back == st, text
        kinds[st.kind] += 1
    assert set(kinds) == {"atom", "not", "and", "or", "implies"}  # every sentence type is exercised

    canonical = [d for d in _documents(out) if d["shuffle"] == 0]
    sentences = [s for d in canonical for s in bridges.split_sentences(d["text"])]
    mentions = Counter()
    statements = Counter()
    for text in sentences:
        if text.startswith('"'):
            statements[bridges.statement_of_sentence(*coherence.parse_statement(text, vocab))] += 1
        else:
            atom = coherence.parse(text, vocab)
            mentions[(atom.subject, atom.relation, atom.obj)] += 1
    assert mentions == _mention_multiset(ev)
    assert statements == Counter(ev.statements)
    assert len(sentences) == ev.n_mentions + len(ev.statements)  # nothing else in the documents

    parsed = bridges.evidence_from_corpus(out)
    assert _mention_multiset(parsed) == _mention_multiset(ev)
    assert Counter(parsed.statements) == Counter(ev.statements)
    assert (parsed.eps, parsed.statement_noise) == (ev.eps, ev.statement_noise)

    # Same evidence up to order, so EM from the same start gives the same fixed point; the only
    # difference is float summation order (~1e-15), far below the 1e-9 tolerance.
    post_world, post_corpus = rational.fit(ev), rational.fit(parsed)
    for r in ev.graph.relations:
        np.testing.assert_allclose(post_corpus.distributions(r), post_world.distributions(r), atol=1e-9, rtol=0)
    for a, b in zip(post_world.thetas, post_corpus.thetas):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), atol=1e-9, rtol=0)


def test_document_format_and_shuffles(tiny_world, tiny_corpus):
    out, summary = tiny_corpus
    docs = _documents(out)
    assert all(set(d) == {"text", "subject", "shuffle", "part"} for d in docs)
    per_shuffle = {k: Counter() for k in range(3)}
    for d in docs:
        text = d["text"]
        assert text.endswith(" . <eod>") and text.count("<eod>") == 1
        sentences = bridges.split_sentences(text)
        assert 1 <= len(sentences) <= 8  # chunk
        assert all(s.startswith(d["subject"]) or s.startswith('"') for s in sentences)
        per_shuffle[d["shuffle"]].update((d["subject"], s) for s in sentences)
    # every shuffle repeats the same multiset of sentences, in another order
    assert per_shuffle[0] == per_shuffle[1] == per_shuffle[2]
    orders = [[s for d in docs if d["shuffle"] == k for s in bridges.split_sentences(d["text"])] for k in range(3)]
    assert orders[0] != orders[1]
    assert summary.documents == len(docs)
    assert summary.tokens == sum(len(d["text"].split()) for d in docs)
    assert summary.sentences == 3 * (tiny_world.evidence.n_mentions + len(tiny_world.evidence.statements))


def test_metadata(tiny_world, tiny_corpus):
    out, summary = tiny_corpus
    meta = bridges.load_metadata(out)
    graph, ev = tiny_world.graph, tiny_world.evidence
    assert meta["format_version"] == 1 and meta["world"] == "tiny" and meta["seed"] == 0
    assert (meta["eps"], meta["statement_noise"]) == (ev.eps, ev.statement_noise)
    assert [r["name"] for r in meta["graph"]["relations"]] == list(graph.relations)
    assert {r["name"]: r["parents"] for r in meta["graph"]["relations"]}["award received"] == \
        ["continent", "field of work"]
    assert meta["subjects"] == list(tiny_world.subjects)
    facts = meta["facts"]
    assert len(facts) == len(tiny_world.subjects) * len(graph.relations)
    for f in facts[:50]:
        assert f["object"] == tiny_world.true_object(f["subject"], f["relation"])
    n_held = sum(int(m.sum()) for m in tiny_world.held_out.values())
    assert meta["held_out"] == sum(f["held_out"] for f in facts) == n_held
    held = {(f["subject"], f["relation"]) for f in facts if f["held_out"]}
    assert not held & {(s, r) for s, r, _ in _mention_multiset(ev)}  # held-out facts are never mentioned
    counts = meta["counts"]
    assert counts["mention"] == ev.n_mentions
    assert counts["true_false"] == sum(st.kind == "atom" for st in ev.statements)
    assert sum(counts[t] for t in bridges.SENTENCE_TYPES) == ev.n_mentions + len(ev.statements)
    assert counts["documents"] == summary.documents and counts["tokens"] == summary.tokens
    assert bridges.graph_from_metadata(meta).parents("award received") == graph.parents("award received")


def test_corpus_is_deterministic(tiny_world, tiny_corpus, tmp_path):
    out, _ = tiny_corpus
    again = tmp_path / "again"
    bridges.write_corpus(tiny_world, again, shuffles=3, chunk=8, world_name="tiny", quiet=True)
    assert (again / "corpus.jsonl").read_bytes() == (out / "corpus.jsonl").read_bytes()
    docs = list(bridges.render_corpus(tiny_world, shuffles=3, chunk=8))
    assert docs == _documents(out)


def test_names_with_connective_words_round_trip():
    """Conjunctions and disjunctions of objects that contain 'and'/'or' parse back to the same atoms."""
    graph = bridges.default_graph("default")
    subject = "Amara Lindqvist"
    vocab = coherence.Vocabulary([subject], {r: graph.domain(r) for r in graph.relations})
    tricky = [(r, o) for r in graph.relations for o in graph.domain(r) if {"and", "or"} & set(o.split())]
    assert len(tricky) >= 3
    for kind in ("and", "or", "implies"):
        for (r1, o1) in tricky:
            for (r2, o2) in tricky:
                st = rational.Statement.connective(kind, subject, [(r1, o1), (r2, o2)], True)
                text = coherence.render_statement(bridges.sentence_of_statement(st), True)
                assert bridges.statement_of_sentence(*coherence.parse_statement(text, vocab)) == st


def test_default_corpus_contains_every_sentence_type(tmp_path):
    summary = bridges.make_corpus("default", tmp_path / "c", quiet=True, shuffles=1)
    assert all(summary.counts[t] > 0 for t in bridges.SENTENCE_TYPES)
    assert 4500 <= summary.facts <= 5500
    assert 0 < summary.held_out < summary.facts
    # the whole default corpus parses back, unambiguously, to the evidence of the same world
    parsed = bridges.evidence_from_corpus(tmp_path / "c")
    world = bridges.build_world("default", seed=0)
    assert _mention_multiset(parsed) == _mention_multiset(world.evidence)
    assert Counter(parsed.statements) == Counter(world.evidence.statements)


def test_printed_summary_and_progress_bar(tiny_world, tmp_path, capsys):
    bridges.write_corpus(tiny_world, tmp_path / "c", world_name="tiny", progress=True)
    captured = capsys.readouterr()
    for word in (*bridges.SENTENCE_TYPES, "tokens", "held out", "documents", "sentences/s"):
        assert word in captured.out
    assert "subject" in captured.err  # the progress bar (shown by default from 2,000 subjects on)


def test_failure_leaves_nothing_behind(tiny_world, tmp_path, monkeypatch):
    import bridges.corpus.write as corpus_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    fresh = tmp_path / "new" / "corpus"
    monkeypatch.setattr(corpus_module, "_metadata", boom)  # fails after corpus.jsonl is fully staged
    with pytest.raises(RuntimeError, match="disk full"):
        bridges.write_corpus(tiny_world, fresh, quiet=True)
    assert not (tmp_path / "new").exists()  # the directories it created are gone too

    monkeypatch.undo()
    old = tmp_path / "old"
    bridges.write_corpus(tiny_world, old, quiet=True, shuffles=1)
    before = {p.name: p.read_bytes() for p in old.iterdir()}
    monkeypatch.setattr(corpus_module, "_metadata", boom)
    with pytest.raises(RuntimeError):
        bridges.write_corpus(tiny_world, old, quiet=True, shuffles=2)
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before  # previous corpus intact, no temporaries


@pytest.mark.parametrize("option,value", [("shuffles", 0), ("chunk", 0), ("shuffles", 1.5)])
def test_bad_layout_options(tiny_world, tmp_path, option, value):
    with pytest.raises(CorpusError, match=option):
        bridges.write_corpus(tiny_world, tmp_path / "c", quiet=True, **{option: value})
    assert not (tmp_path / "c").exists()


def test_unrenderable_statement_is_rejected():
    st = rational.Statement.of("Ann Lee", [("a", "x"), ("a", "y")], lambda p, q: p != q, True)  # xor
    with pytest.raises(CorpusError, match="not an atom, not, and, or, or if-then"):
        bridges.sentence_of_statement(st)
    # a 'formula' whose table is a standard connective is rendered as that connective
    same_as_or = rational.Statement.of("Ann Lee", [("a", "x"), ("a", "y")], lambda p, q: p or q, True)
    assert coherence.render(bridges.sentence_of_statement(same_as_or)) == "Ann Lee a x or Ann Lee a y"


def _write_with_metadata(out, bad, lines):
    """A corpus of these lines whose metadata records them (as a tool that wrote them would)."""
    bad.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    (bad / "corpus.jsonl").write_text(text, encoding="utf-8")
    meta = json.loads((out / "metadata.json").read_text())
    meta["counts"]["documents"] = len(lines)
    meta["corpus"]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (bad / "metadata.json").write_text(json.dumps(meta))


def test_corrupt_corpus_is_reported_with_its_line(tiny_corpus, tmp_path):
    out, _ = tiny_corpus
    bad = tmp_path / "bad"
    lines = (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[2])
    doc["text"] = "Nobody Atall occupation lawyer . " + doc["text"]
    lines[2] = json.dumps(doc)
    _write_with_metadata(out, bad, lines)
    assert doc["shuffle"] == 0  # shuffle 0 comes first in the file
    with pytest.raises(CorpusError, match=r"corpus\.jsonl:3: .*Nobody Atall"):
        bridges.evidence_from_corpus(bad)
    lines[0] = "not json"
    _write_with_metadata(out, bad, lines)
    with pytest.raises(CorpusError, match=r"corpus\.jsonl:1: expected a JSON object"):
        bridges.evidence_from_corpus(bad)


def test_truncated_or_edited_corpus_is_refused(tiny_corpus, tmp_path):
    out, _ = tiny_corpus
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "metadata.json").write_bytes((out / "metadata.json").read_bytes())
    lines = (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    (bad / "corpus.jsonl").write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")  # cut at a line boundary
    with pytest.raises(CorpusError, match=f"has {len(lines) - 5:,} documents but metadata.json records"):
        bridges.evidence_from_corpus(bad)
    with pytest.raises(lm.LMError, match="documents but metadata.json records"):
        lm.read_corpus(bad)
    lines[1] = lines[1].replace(" . <eod>", " . <eod>", 1).replace("shuffle", "shuffle", 1) + " "
    (bad / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")  # same count, other bytes
    with pytest.raises(CorpusError, match="sha256 mismatch"):
        bridges.evidence_from_corpus(bad)
    with pytest.raises(lm.LMError, match="sha256"):
        lm.read_corpus(bad)


def test_load_metadata_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no corpus metadata"):
        bridges.load_metadata(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(CorpusError, match="format_version 99"):
        bridges.load_metadata(tmp_path)


def test_split_sentences_rejects_unterminated_documents():
    with pytest.raises(CorpusError, match="does not end with"):
        bridges.split_sentences("Ann Lee continent Asia .")
