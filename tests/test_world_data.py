"""The built-in worlds' data files (bridges/world/data/) and their loader: round trips, every bad input
named by file, line and column, a user's association file, and the data shipped as package data."""

import csv
import fnmatch
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

import bridges
from bridges import WorldError
from bridges.world import load_associations, load_domains, load_names
from bridges.world.associations import ASSOCIATIONS

REPO = Path(__file__).resolve().parents[1]


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])
    return path


def test_builtin_tables_round_trip(tmp_path):
    domains = load_domains()
    rows = [(r, o) for r, objects in domains.items() for o in objects]
    assert load_domains(_write_csv(tmp_path / "domains.csv", ("relation", "object"), rows)) == domains
    given, family = load_names()
    rows = [("given", n) for n in given] + [("family", n) for n in family]
    assert load_names(_write_csv(tmp_path / "names.csv", ("part", "name"), rows)) == (given, family)
    assoc = load_associations(domains=domains)
    rows = [(p, c, po, co, repr(w)) for c, by_parent in assoc.items() for p, table in by_parent.items()
            for po, row in table.items() for co, w in row.items()]
    header = ("parent", "child", "parent_object", "child_object", "weight")
    again = load_associations(_write_csv(tmp_path / "all.csv", header, rows), domains=domains)
    assert again == assoc  # float for float: repr round-trips exactly


def test_builtin_tables_hold_what_the_worlds_need():
    domains, (given, family) = load_domains(), load_names()
    assert domains["continent"] == ("Europe", "North America", "Asia", "South America", "Africa", "Oceania")
    assert len(given) * len(family) // 2 >= 10_000  # the paper world's people have two-part names
    assoc = ASSOCIATIONS
    # data/associations/educated_at__field_of_work.csv: broad spread 0.5 + Oxford's own law 0.8
    assert assoc["field of work"]["educated at"]["University of Oxford"]["law"] == 0.5 + 0.8
    assert assoc["award received"].keys() == {"field of work", "continent"}  # two files, one child


COLUMNS = "parent,child,parent_object,child_object,weight\n"
DOMAINS = {"colour": ["red", "blue"], "mood": ["calm", "sad"]}

# (file name, content, message: names the file, the line and the column)
BAD = [
    ("domains.csv", "relation\ncolour,red\n", r"domains\.csv:1: the header 'relation' .*'object'"),
    ("domains.csv", "relation,object\ncolour,\n", r"domains\.csv:2: object must be a non-empty string"),
    ("domains.csv", "relation,object\ncolour,red\n# a comment\ncolour,red\n",
     r"domains\.csv:4: object 'red' is listed twice for 'colour' \(first at .*domains\.csv:2\)"),
    ("domains.csv", "relation,object\nborn in,St. Louis\n", r"domains\.csv:2: object 'St\. Louis' contains '\.'"),
    ("domains.csv", 'relation,object\n"a<b",x\n', r"domains\.csv:2: relation 'a<b' contains '<'"),
    ("domains.csv", "relation,object\ncolour,red,blue\n", r"domains\.csv:2: 3 fields, the header has 2"),
    ("domains.csv", 'relation,object\ncolour,"red\n', r"domains\.csv:2: not a CSV line"),
    ("domains.csv", "# only a comment\n", r"domains\.csv: no header line"),
    ("names.csv", "part,name\ngiven,Ann Marie\nfamily,Lee\n", r"names\.csv:2: name 'Ann Marie' must be one word"),
    ("names.csv", "part,name\ngiven,Ann\nmiddle,Lee\n", r"names\.csv:3: part must be one of given, family"),
    ("names.csv", "part,name\ngiven,Ann\n", r"names\.csv: no family names"),
    ("colour__mood.csv", "parent_object,child_object\nred,calm\n", r"colour__mood\.csv:1: .*'weight'"),
    ("colour__mood.csv", "parent_object,child_object,weight\nred,calm,lots\n",
     r"colour__mood\.csv:2: weight must be a positive number, got 'lots'"),
    ("colour__mood.csv", "parent_object,child_object,weight\nred,calm,-1\n",
     r"colour__mood\.csv:2: weight must be a positive number, got '-1'"),
    ("colour__mood.csv", "parent_object,child_object,weight\nred,calm,nan\n", r"colour__mood\.csv:2: weight"),
    ("colour__mood.csv", "parent_object,child_object,weight\nred,calm,1\nred,calm,2\n",
     r"colour__mood\.csv:3: child_object 'calm' is listed twice for colour 'red'"),
    ("colour__mood.csv", "parent_object,child_object,weight\nred,happy,1\n",
     r"colour__mood\.csv:2: child_object 'happy' is not an object of relation 'mood'"),
    ("colour__mood.csv", "parent_object,child_object,weight\ngreen,calm,1\n",
     r"colour__mood\.csv:2: parent_object 'green' is not an object of relation 'colour'"),
    ("colour__taste.csv", "parent_object,child_object,weight\nred,calm,1\n",
     r"colour__taste\.csv:2: child: unknown relation 'taste'"),
    ("mine.csv", COLUMNS + "colour,mood,red,calm,1\nshape,mood,round,calm,1\n",
     r"mine\.csv:3: parent: unknown relation 'shape'"),
    ("mine.csv", COLUMNS + "mood,colour,calm,red,1\n", r"mine\.csv:2: 'mood' -> 'colour' is not an edge"),
    ("mine.csv", "parent_object,child_object,weight\nred,calm,1\n",
     r"mine\.csv:2: no 'parent' and 'child' columns, and the file is not named '<parent>__<child>\.csv'"),
]


@pytest.mark.parametrize("name,content,message", BAD, ids=[f"{n}:{m[:30]}" for n, _, m in BAD])
def test_bad_table_names_file_line_and_column(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    load = {"domains.csv": load_domains, "names.csv": load_names}.get(
        name, lambda p: load_associations(p, domains=DOMAINS, edges={("colour", "mood")}))
    with pytest.raises(WorldError, match=message):
        load(path)


def test_a_directory_of_association_files_and_a_spreadsheet_bom(tmp_path):
    (tmp_path / "colour__mood.csv").write_text("\ufeffparent_object,child_object,weight\nred,calm,2\n",
                                               encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a table\n")
    assert load_associations(tmp_path) == {"mood": {"colour": {"red": {"calm": 2.0}}}}
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        load_associations(tmp_path / "nowhere.csv")


GRAPH_FILE = """\
from rational import RelationGraph
graph = RelationGraph().add_relation("colour", ["red", "blue"]).add_relation("mood", ["calm", "sad"])
graph.add_edge("colour", "mood")
WORLD = dict(n_subjects=8, association_strength=1000.0)
ASSOCIATIONS = {where!r}
"""


def test_a_graph_file_can_name_its_association_file(tmp_path):
    (tmp_path / "tables").mkdir()
    _write_csv(tmp_path / "tables" / "colour__mood.csv", ("parent_object", "child_object", "weight"),
               [("red", "calm", "1"), ("blue", "sad", "1")])
    graph_file = tmp_path / "graph.py"
    graph_file.write_text(GRAPH_FILE.format(where="tables/colour__mood.csv"))  # relative to the graph file
    spec = bridges.resolve_world(graph_file)
    assert spec.associations() == {"mood": {"colour": {"red": {"calm": 1.0}, "blue": {"sad": 1.0}}}}
    world = spec.sample(0)
    assert world.cpts["mood"][0, 0] > 0.9 and world.cpts["mood"][1, 1] > 0.9  # red -> calm, blue -> sad

    graph_file.write_text(GRAPH_FILE.format(where="tables"))  # a directory of tables
    assert bridges.resolve_world(graph_file).associations() == spec.associations()

    (tmp_path / "tables" / "colour__mood.csv").write_text("parent_object,child_object,weight\nred,angry,1\n")
    with pytest.raises(WorldError, match=r"colour__mood\.csv:2: child_object 'angry' is not an object"):
        bridges.resolve_world(graph_file)
    graph_file.write_text(GRAPH_FILE.format(where="missing.csv"))
    with pytest.raises(WorldError, match=r"graph\.py: ASSOCIATIONS: association file .*missing\.csv.* not found"):
        bridges.resolve_world(graph_file)


def test_the_example_graph_file_uses_its_association_file():
    spec = bridges.resolve_world(REPO / "examples" / "my_graph.py")
    assert spec.associations()["genre"]["country of citizenship"]["Cuba"]["salsa"] == 1.0
    assert set(spec.associations()["instrument"]) == {"genre", "country of citizenship"}


def test_the_data_files_are_package_data():
    data = files("bridges.world") / "data"
    shipped = sorted(f"data/{f.name}" for f in data.iterdir() if f.is_file())
    shipped += sorted(f"data/associations/{f.name}" for f in (data / "associations").iterdir())
    assert {"data/domains.csv", "data/names.csv", "data/README.md"} <= set(shipped)
    assert sum(name.startswith("data/associations/") for name in shipped) == 10  # one per built-in edge
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    missed = [n for n in shipped if not any(fnmatch.fnmatch(n, p) for p in patterns["bridges.world"])]
    assert not missed, f"pyproject.toml's package-data leaves these out of the wheel: {missed}"
