"""The Wikidata5m-style triples loader, on small files the tests write themselves."""

from collections import Counter

import pytest

import bridges
import rational
from bridges import TriplesError

# Relations: P30 continent (2 objects), P27 country (3), P103 language (4), P19 birthplace (5 objects,
# only 4 subjects: co-occurs too rarely), P1 (one subject).
NAMES = """\
P30\tcontinent
P27\tcountry of citizenship\tcitizenship
P103\tnative language
P19\tplace of birth
P1\tnickname
Q1\tEurope
Q2\tAmericas
Q10\tFrance
Q11\tTrinidad and Tobago
Q12\tJapan
Q20\tFrench
Q21\tEnglish
Q22\tJapanese
Q23\tSpanish
Q40\tSt. Louis
Q41\tSpringfield
Q42\tSpringfield
Q43\tParis
Q44\t"Quoted" <City>
"""


def write_files(tmp_path, n_people=30):
    rows = []
    for i in range(n_people):
        p = f"Q{1000 + i}"
        rows += [f"{p}\tP30\tQ{1 + i % 2}", f"{p}\tP27\tQ{10 + i % 3}", f"{p}\tP103\tQ{20 + i % 4}"]
    rows.append("Q1000\tP27\tQ12")  # a second citizenship: the first in file order wins
    for i, city in enumerate(["Q40", "Q41", "Q42", "Q44"]):
        rows.append(f"Q{1000 + i}\tP19\t{city}")
    rows.append("Q1005\tP1\tQ43")
    names = NAMES + "".join(f"Q{1000 + i}\tPerson Number{i}\n" for i in range(n_people))
    (tmp_path / "triples.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "names.tsv").write_text(names, encoding="utf-8")
    return tmp_path / "triples.tsv", tmp_path / "names.tsv"


def test_picks_the_most_co_occurring_relations(tmp_path):
    triples, names = write_files(tmp_path)
    graph, facts = bridges.load_triples(triples, names, n_relations=3, min_cooccurrence=10)
    # co-occurrence 30 for each pair of continent/country/language; place of birth only 4
    assert set(graph.relations) == {"continent", "country of citizenship", "native language"}
    # oriented from fewer objects to more: continent (2) -> country (3) -> language (4)
    assert set(graph.edges) == {("continent", "country of citizenship"), ("continent", "native language"),
                                ("country of citizenship", "native language")}
    assert graph.domain("country of citizenship") == ("France", "Trinidad and Tobago", "Japan")
    assert len(facts) == 90
    first = {(f.subject, f.relation): f.object for f in facts}
    assert first[("Person Number0", "country of citizenship")] == "France"  # not Japan: first in file wins
    assert Counter(f.relation for f in facts) == Counter(dict.fromkeys(graph.relations, 30))


def test_max_parents_and_max_objects(tmp_path):
    triples, names = write_files(tmp_path)
    graph, facts = bridges.load_triples(triples, names, n_relations=3, min_cooccurrence=10, max_parents=1,
                                        max_objects=2)
    assert all(len(graph.parents(r)) <= 1 for r in graph.relations)
    assert all(graph.size_of(r) <= 2 for r in graph.relations)
    assert all(f.object in graph.domain(f.relation) for f in facts)


def test_names_are_cleaned_and_disambiguated(tmp_path):
    triples, names = write_files(tmp_path)
    graph, _ = bridges.load_triples(triples, names, n_relations=4, min_cooccurrence=4)
    assert "place of birth" in graph.relations
    cities = set(graph.domain("place of birth"))
    assert cities == {"St Louis", "Springfield Q41", "Springfield Q42", "Quoted City"}
    for r in graph.relations:
        for o in graph.domain(r):
            bridges.check_name(o, r)


def test_too_few_co_occurrences_names_the_relations(tmp_path):
    triples, names = write_files(tmp_path)
    with pytest.raises(TriplesError, match=r"triples\.tsv: only 3 relation\(s\).*'continent'.*4 asked for; "
                                           r"too few shared subjects for 'place of birth' \(at most 4\), "
                                           r"'nickname' \(at most 1\).*'continent' & 'country of citizenship': 30"):
        bridges.load_triples(triples, names, n_relations=4, min_cooccurrence=10)


@pytest.mark.parametrize("bad_line,expected", [
    ("Q1\tP27", r"triples\.tsv:4: expected 3 tab-separated fields .* got 2"),
    ("Q1\tP27\tQ10\tQ11", r"triples\.tsv:4: expected 3 tab-separated fields .* got 4"),
    ("Q1\t\tQ10", r"triples\.tsv:4: empty field"),
])
def test_malformed_triples_line(tmp_path, bad_line, expected):
    triples, names = write_files(tmp_path)
    lines = triples.read_text().splitlines()
    lines.insert(3, bad_line)
    triples.write_text("\n".join(lines) + "\n")
    with pytest.raises(TriplesError, match=expected):
        bridges.load_triples(triples, names, n_relations=3, min_cooccurrence=10)


def test_malformed_names_file(tmp_path):
    triples, names = write_files(tmp_path)
    text = names.read_text(encoding="utf-8")
    names.write_text(text.replace("Q12\tJapan\n", "Q12 Japan\n"), encoding="utf-8")
    with pytest.raises(TriplesError, match=r"names\.tsv:10: expected at least 2 tab-separated fields"):
        bridges.load_triples(triples, names, n_relations=3)
    names.write_text(text + "Q10\tFrance again\n", encoding="utf-8")
    with pytest.raises(TriplesError, match=r"names\.tsv:\d+: id 'Q10' is named twice \(first on line 8\)"):
        bridges.load_triples(triples, names, n_relations=3)
    names.write_text(text, encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="nope.tsv"):
        bridges.load_triples(tmp_path / "nope.tsv", names)
    with pytest.raises(TriplesError, match="n_relations must be an integer >= 2"):
        bridges.load_triples(triples, names, n_relations=1)


def test_loaded_graph_makes_a_corpus_that_parses_back(tmp_path):
    triples, names = write_files(tmp_path)
    graph, _ = bridges.load_triples(triples, names, n_relations=4, min_cooccurrence=4)
    world = rational.sample_world(graph, bridges.person_names(15, seed=0), seed=0, eps=0.05)
    bridges.write_corpus(world, tmp_path / "c", quiet=True)
    parsed = bridges.evidence_from_corpus(tmp_path / "c")
    assert parsed.n_mentions == world.evidence.n_mentions
    assert Counter(parsed.statements) == Counter(world.evidence.statements)
