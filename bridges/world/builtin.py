"""Built-in worlds: a Wikidata-like dependency graph with real object names, in several sizes.

The graph (every size uses a sub-graph of it; arrows point from parent to child)::

    place of birth -> country of citizenship -> native language
                      country of citizenship -> continent
                      country of citizenship -> religion
                      country of citizenship -> sport
                      country of citizenship -> educated at -> field of work -> occupation
                      (field of work, continent) -> award received            (two parents)

Object names are real (countries, cities, universities, awards...). Each domain lists its objects so
that the first ``k`` are the domain of a size with ``k`` objects; names with connective words
("Trinidad and Tobago", "Nobel Prize in Physiology or Medicine", "science and technology studies")
come first, so every size contains some. The dependencies (which country goes with which language) are
drawn from the seed, each CPT row from a Dirichlet distribution; with ``association_strength`` > 0 the
rows are centred on real-world associations (:mod:`bridges.world.associations`), as the seed paper's
came from Wikidata co-occurrence counts; with 0 they are random.

A world is a :class:`WorldSpec` (a graph builder plus sampling options) registered in :data:`WORLDS`,
or a user's Python file that defines ``graph`` (see :func:`resolve_world`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .names import check_vocabulary, more_person_names, person_names

if TYPE_CHECKING:  # rational imports jax: keep `import bridges` light
    from rational import RelationGraph, World, WorldOptions

__all__ = ["WORLDS", "WorldError", "WorldSpec", "build_world", "default_graph", "resolve_world"]


class WorldError(ValueError):
    """An unknown world, a bad world file, or sampling options out of range."""


# -- object names ---------------------------------------------------------------------------------
def _split(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(";") if name.strip())


_DOMAINS: dict[str, tuple[str, ...]] = {
    "place of birth": _split("""
        Paris; Port of Spain; Tokyo; Sarajevo; New York City; Berlin; Madrid; Rome; Moscow; Beijing;
        Shanghai; Mumbai; Delhi; Cairo; Lagos; Nairobi; Johannesburg; Cape Town; Sydney; Melbourne;
        Toronto; Montreal; Vancouver; Mexico City; São Paulo; Rio de Janeiro; Buenos Aires; Lima; Bogotá;
        Santiago; Caracas; Havana; London; Vienna; Prague; Budapest; Warsaw; Kraków; Stockholm; Oslo;
        Copenhagen; Helsinki; Dublin; Edinburgh; Manchester; Liverpool; Birmingham; Glasgow; Amsterdam;
        Rotterdam; Brussels; Antwerp; Lisbon; Porto; Barcelona; Seville; Valencia; Milan; Naples; Turin;
        Florence; Venice; Munich; Hamburg; Frankfurt; Cologne; Zürich; Geneva; Athens; Istanbul; Ankara;
        Tehran; Baghdad; Riyadh; Dubai; Karachi; Lahore; Dhaka; Kolkata; Chennai; Bangalore; Hyderabad;
        Colombo; Kathmandu; Bangkok; Hanoi; Ho Chi Minh City; Jakarta; Manila; Kuala Lumpur; Singapore;
        Seoul; Busan; Osaka; Kyoto; Nagoya; Taipei; Hong Kong; Guangzhou; Chengdu; Wuhan; Xi'an;
        Ulaanbaatar; Tashkent; Almaty; Kyiv; Minsk; Vilnius; Riga; Tallinn; Bucharest; Sofia; Belgrade;
        Zagreb; Ljubljana; Bratislava; Tbilisi; Yerevan; Baku; Beirut; Damascus; Amman; Jerusalem;
        Tel Aviv; Casablanca; Rabat; Algiers; Tunis; Tripoli; Khartoum; Addis Ababa; Dar es Salaam;
        Kampala; Kigali; Kinshasa; Luanda; Accra; Dakar; Abidjan; Bamako; Harare; Lusaka; Maputo;
        Windhoek; Gaborone; Antananarivo; Auckland; Wellington; Brisbane; Perth; Adelaide; Honolulu;
        Los Angeles; Chicago; Houston; Philadelphia; Boston; San Francisco; Seattle; Miami; Atlanta;
        Detroit; New Orleans; Denver; Washington; Baltimore; Pittsburgh; Cleveland; Minneapolis; Dallas;
        Phoenix; San Diego; Portland; Nashville; Memphis; Ottawa; Quebec City; Calgary; Winnipeg;
        Halifax; Guadalajara; Monterrey; Guatemala City; San José; Panama City; Kingston; Santo Domingo;
        San Juan; Quito; Guayaquil; La Paz; Asunción; Montevideo; Medellín; Cali; Valparaíso; Córdoba;
        Rosario; Recife; Salvador; Brasília; Belo Horizonte; Porto Alegre; Manaus; Fortaleza; Curitiba;
        Marseille; Lyon; Toulouse; Bordeaux; Nice; Strasbourg; Lille; Nantes; Bologna; Genoa; Palermo;
        Bilbao; Málaga; Zaragoza; Granada; Leeds; Bristol; Belfast; Cardiff; Oxford; Cambridge;
        Salzburg; Graz; Innsbruck; Basel; Bern; Lausanne; Leipzig; Dresden; Stuttgart; Düsseldorf; Bonn;
        Heidelberg; Nuremberg; Bremen; Hanover; Gdańsk; Wrocław; Poznań; Łódź; Brno; Debrecen;
        Cluj-Napoca; Thessaloniki; Izmir; Odesa; Kharkiv; Lviv; Saint Petersburg; Novosibirsk; Kazan;
        Yekaterinburg; Vladivostok; Gothenburg; Malmö; Uppsala; Bergen; Trondheim; Aarhus; Turku;
        Reykjavik; Cork; Galway; Utrecht; The Hague; Ghent; Liège; Luxembourg City; Valletta; Nicosia;
        Skopje; Tirana; Podgorica; Chișinău; Pune; Ahmedabad; Jaipur; Lucknow; Varanasi; Surabaya;
        Cebu City; Yokohama; Sapporo; Fukuoka; Incheon; Nanjing; Hangzhou; Tianjin; Harbin; Kandy;
        Chittagong; Marrakesh; Alexandria; Durban
    """),
    "country of citizenship": _split("""
        France; Trinidad and Tobago; Japan; Bosnia and Herzegovina; Brazil; Germany; India; Nigeria;
        Canada; Australia; Mexico; Egypt; China; Italy; Spain; United Kingdom; United States; Argentina;
        Kenya; South Africa; Sweden; Poland; Turkey; Iran; Antigua and Barbuda; Indonesia; Vietnam; Peru;
        Colombia; Norway; Portugal; Netherlands; Belgium; Switzerland; Austria; Greece; Ireland; Denmark;
        Finland; Iceland; Russia; Ukraine; Czech Republic; Hungary; Romania; Bulgaria; Serbia; Croatia;
        Slovenia; Slovakia; Lithuania; Latvia; Estonia; Georgia; Armenia; Azerbaijan; Kazakhstan;
        Uzbekistan; Mongolia; South Korea; Thailand; Philippines; Malaysia; Singapore; Pakistan;
        Bangladesh; Sri Lanka; Nepal; Saudi Arabia; Israel; Lebanon; Jordan; Iraq; Syria; Morocco;
        Algeria; Tunisia; Ethiopia; Ghana; Senegal; Tanzania; Uganda; Rwanda; Angola; Zimbabwe;
        New Zealand; Chile; Cuba; Jamaica; Saint Kitts and Nevis; Venezuela; Ecuador; Bolivia; Uruguay;
        Paraguay; Guatemala; Panama; Costa Rica; Saint Vincent and the Grenadines; São Tomé and Príncipe
    """),
    "native language": _split("""
        French; English; Japanese; Bosnian; Portuguese; German; Hindi; Yoruba; Spanish; Arabic;
        Mandarin Chinese; Italian; Swedish; Polish; Turkish; Persian; Indonesian; Vietnamese; Quechua;
        Russian; Dutch; Greek; Danish; Finnish; Norwegian; Icelandic; Irish; Ukrainian; Czech;
        Hungarian; Romanian; Bulgarian; Serbian; Croatian; Slovene; Slovak; Lithuanian; Latvian;
        Estonian; Georgian; Armenian; Azerbaijani; Kazakh; Uzbek; Mongolian; Korean; Thai; Tagalog;
        Malay; Urdu; Bengali; Sinhala; Nepali; Hebrew; Amharic; Swahili; Hausa; Igbo; Zulu; Afrikaans
    """),
    "continent": _split("Europe; North America; Asia; South America; Africa; Oceania"),
    "educated at": _split("""
        University of Oxford; London School of Economics and Political Science; University of Tokyo;
        University of Sarajevo; Sorbonne University; Harvard University; University of Cambridge;
        Massachusetts Institute of Technology; Stanford University; University of São Paulo;
        Heidelberg University; University of Delhi; University of Lagos; University of Toronto;
        University of Sydney; National Autonomous University of Mexico; Cairo University;
        Peking University; Sapienza University of Rome; Complutense University of Madrid;
        Imperial College London; Columbia University; University of Buenos Aires; University of Nairobi;
        University of Cape Town; Uppsala University; University of Warsaw; Istanbul University;
        University of Tehran; University of the West Indies; University of Indonesia;
        Vietnam National University; National University of San Marcos; Yale University;
        Princeton University; University of Chicago; California Institute of Technology;
        Johns Hopkins University; University of Pennsylvania; Cornell University; University of Michigan;
        Duke University; Northwestern University; New York University; University of Washington;
        University of Edinburgh; University College London; King's College London;
        University of Manchester; University of Glasgow; Trinity College Dublin; ETH Zurich;
        University of Zurich; University of Geneva; University of Vienna; Charles University;
        University of Copenhagen; University of Helsinki; University of Oslo; Lund University;
        Karolinska Institute; KU Leuven; University of Amsterdam; Leiden University; Utrecht University;
        Delft University of Technology; Ludwig Maximilian University of Munich;
        Technical University of Munich; Humboldt University of Berlin; Free University of Berlin;
        University of Göttingen; University of Bonn; University of Hamburg; University of Bologna;
        University of Padua; University of Milan; Polytechnic University of Milan;
        University of Barcelona; Autonomous University of Madrid; University of Lisbon;
        University of Coimbra; University of Porto; National and Kapodistrian University of Athens;
        Jagiellonian University; Eötvös Loránd University; University of Bucharest; Sofia University;
        University of Belgrade; University of Zagreb; University of Ljubljana; Comenius University;
        Vilnius University; University of Tartu; University of Latvia; Moscow State University;
        Saint Petersburg State University; Taras Shevchenko National University of Kyiv;
        Tbilisi State University; Yerevan State University; Baku State University;
        Al-Farabi Kazakh National University; National University of Mongolia;
        Seoul National University; Yonsei University; Korea University; Kyoto University;
        Osaka University; Tohoku University; Waseda University; Keio University; Tsinghua University;
        Fudan University; Zhejiang University; Shanghai Jiao Tong University; Nanjing University;
        Wuhan University; National Taiwan University; University of Hong Kong; Chulalongkorn University;
        University of the Philippines; University of Malaya; National University of Singapore;
        Nanyang Technological University; Indian Institute of Science;
        Indian Institute of Technology Bombay; Jawaharlal Nehru University; University of Mumbai;
        University of Calcutta; University of Dhaka; University of Karachi; University of the Punjab;
        University of Colombo; Tribhuvan University; King Saud University;
        Hebrew University of Jerusalem; Tel Aviv University; American University of Beirut;
        University of Jordan; University of Baghdad; Damascus University; Mohammed V University;
        University of Algiers; University of Tunis; Addis Ababa University; University of Ghana;
        Cheikh Anta Diop University; University of Dar es Salaam; Makerere University;
        University of Rwanda; Agostinho Neto University; University of Zimbabwe;
        University of the Witwatersrand; Stellenbosch University; University of Auckland;
        University of Otago; University of Melbourne; Australian National University;
        University of Queensland; Monash University; McGill University;
        University of British Columbia; University of Montreal; University of Alberta;
        University of Chile; Pontifical Catholic University of Chile; University of Havana;
        National University of Colombia; University of the Andes; Central University of Venezuela;
        Central University of Ecuador; Higher University of San Andrés; University of the Republic;
        National University of Asunción; University of San Carlos of Guatemala; University of Panama;
        University of Costa Rica; Federal University of Rio de Janeiro; State University of Campinas;
        University of Brasília; Federal University of Minas Gerais;
        Pontifical Catholic University of Rio de Janeiro; National University of Córdoba;
        National University of La Plata; Monterrey Institute of Technology and Higher Education;
        University of Guadalajara; École Polytechnique; École normale supérieure; Sciences Po;
        University of Strasbourg; Aix-Marseille University; University of Bordeaux;
        Paris-Saclay University; University of Iceland; University of Bergen; Aarhus University;
        Stockholm University; Chalmers University of Technology; University of Basel;
        University of Lausanne; Ghent University; University of Groningen; University of Bern;
        University of Notre Dame; Brown University; Rice University; University of Texas at Austin;
        Georgia Institute of Technology; Carnegie Mellon University; Vanderbilt University
    """),
    "field of work": _split("""
        physics; science and technology studies; law; medicine; chemistry; mathematics; biology;
        economics; history; philosophy; literature; music; painting; architecture; computer science;
        linguistics; sociology; psychology; political science; astronomy; geology; ecology; genetics;
        neuroscience; anthropology; archaeology; theology; journalism; film; theatre; dance; sculpture;
        photography; agriculture; engineering; civil engineering; electrical engineering;
        chemical engineering; materials science; statistics; education; public health; nursing;
        pharmacology; veterinary medicine; dentistry; oceanography; meteorology; geography; classics;
        art history; musicology; poetry; fashion design; graphic design; urban planning;
        international relations; public administration; business administration; environmental science
    """),
    "occupation": _split("""
        physicist; lawyer; physician; chemist; mathematician; biologist; economist; historian;
        philosopher; writer; composer; painter; architect; computer scientist; linguist; sociologist;
        psychologist; politician; astronomer; engineer; diplomat; journalist; actor; singer;
        university teacher; novelist; poet; playwright; screenwriter; film director; film producer;
        photographer; sculptor; dancer; choreographer; pianist; violinist; guitarist; conductor;
        opera singer; songwriter; rapper; television presenter; radio host; comedian; cartoonist;
        illustrator; graphic designer; fashion designer; geologist; ecologist; geneticist;
        neuroscientist; anthropologist; archaeologist; theologian; priest; rabbi; imam; missionary;
        judge; prosecutor; police officer; military officer; soldier; pilot; astronaut; explorer;
        entrepreneur; business executive; banker; accountant; civil servant; activist; trade unionist;
        nurse; surgeon; dentist; pharmacist; veterinarian; psychiatrist; statistician; software engineer;
        civil engineer; electrical engineer; chemical engineer; inventor; farmer; chef; athlete;
        association football player; basketball player; tennis player; cricketer; swimmer; cyclist;
        boxer; chess player; coach; translator; editor; publisher; librarian; museum curator;
        art critic; literary critic; film critic; urban planner; schoolteacher; school principal;
        social worker; philanthropist; businessperson; lobbyist; model; stage actor; voice actor;
        magician; circus performer; mountaineer; sailor; carpenter; jeweller
    """),
    "religion": _split("""
        Catholicism; Islam; Hinduism; Buddhism; Judaism; Protestantism; Eastern Orthodoxy; Sikhism;
        atheism; Shinto; Taoism; Jainism; Anglicanism; Confucianism; Zoroastrianism; Baháʼí Faith
    """),
    "award received": _split("""
        Nobel Prize in Physics; Nobel Prize in Physiology or Medicine; Pulitzer Prize;
        Légion d'honneur; Nobel Prize in Chemistry; Nobel Prize in Literature; Nobel Peace Prize;
        Fields Medal; Turing Award; Academy Award for Best Actor; Grammy Award;
        Pritzker Architecture Prize; Wolf Prize in Physics; Abel Prize; Booker Prize; Order of Canada;
        Padma Shri; Order of Lenin; Order of Australia; Prince of Asturias Award;
        Nobel Memorial Prize in Economic Sciences; Crafoord Prize; Kyoto Prize; Wolf Prize in Mathematics;
        Wolf Prize in Medicine; Lasker Award; Copley Medal; Royal Medal; Max Planck Medal; Dirac Medal;
        Balzan Prize; Shaw Prize; Breakthrough Prize in Fundamental Physics; Kavli Prize; Japan Prize;
        Holberg Prize; Templeton Prize; Pulitzer Prize for Fiction; Prix Goncourt;
        Miguel de Cervantes Prize; Hugo Award; Nebula Award; National Book Award; Golden Globe Award;
        BAFTA Award; Emmy Award; Tony Award; Palme d'Or; Golden Bear; Golden Lion; César Award;
        Polar Music Prize; Praemium Imperiale; Stirling Prize; Royal Gold Medal;
        Presidential Medal of Freedom; Congressional Gold Medal; Order of Merit; Knight Bachelor;
        Order of the British Empire; Bharat Ratna; Padma Bhushan; Order of the Rising Sun;
        Order of Culture; Hero of the Soviet Union; Order of Friendship; Federal Cross of Merit;
        Order of Merit of the Italian Republic; Order of Isabella the Catholic;
        Order of the Southern Cross; Order of the Aztec Eagle; National Order of the Lion;
        Sakharov Prize; Right Livelihood Award; Ballon d'Or; Laureus World Sports Award;
        Olympic gold medal; Goethe Prize; Leibniz Prize; Gairdner Award
    """),
    "sport": _split("""
        association football; track and field; cricket; basketball; tennis; swimming; cycling; boxing;
        rugby union; ice hockey; baseball; volleyball; handball; table tennis; badminton; golf; chess;
        judo; karate; taekwondo; wrestling; fencing; rowing; sailing; artistic gymnastics;
        figure skating; alpine skiing; cross-country skiing; ski jumping; speed skating; field hockey;
        water polo; Australian rules football; American football; Gaelic football; hurling; sumo;
        mountaineering; surfing; show jumping
    """),
}

_EDGES: tuple[tuple[str, str], ...] = (
    ("place of birth", "country of citizenship"),
    ("country of citizenship", "native language"),
    ("country of citizenship", "continent"),
    ("country of citizenship", "religion"),
    ("country of citizenship", "sport"),
    ("country of citizenship", "educated at"),
    ("educated at", "field of work"),
    ("field of work", "occupation"),
    ("field of work", "award received"),
    ("continent", "award received"),
)


def _graph_of_sizes(sizes: Mapping[str, int]) -> RelationGraph:
    """The built-in graph restricted to the relations in ``sizes``, each with its first ``k`` objects."""
    from rational import RelationGraph

    graph = RelationGraph()
    for relation, k in sizes.items():
        names = _DOMAINS[relation]
        if not 1 <= k <= len(names):
            raise WorldError(f"relation {relation!r} has {len(names)} built-in objects, asked for {k}")
        graph.add_relation(relation, names[:k])
    graph.add_edges_from((u, v) for u, v in _EDGES if u in sizes and v in sizes)
    return graph.check()


_TINY = {"place of birth": 6, "country of citizenship": 5, "native language": 5, "continent": 4,
         "educated at": 5, "field of work": 4, "occupation": 5, "award received": 4}
_DEFAULT = {"place of birth": 40, "country of citizenship": 30, "native language": 20, "continent": 6,
            "educated at": 30, "field of work": 20, "occupation": 25, "religion": 10, "award received": 20}
_PAPER = {"place of birth": 300, "country of citizenship": 100, "native language": 60, "continent": 6,
          "educated at": 200, "field of work": 60, "occupation": 120, "religion": 16, "award received": 80,
          "sport": 40}


# -- world specifications -------------------------------------------------------------------------
def _options(where: str, **options) -> WorldOptions:
    """``rational.WorldOptions`` from keyword options; errors become :class:`WorldError` naming ``where``."""
    from rational import EvidenceError, WorldOptions

    try:
        return WorldOptions.from_dict(options, where)
    except EvidenceError as err:
        raise WorldError(f"{where}: {err}" if not str(err).startswith(where) else str(err)) from None


@dataclass(frozen=True)
class WorldSpec:
    """A world to sample: a graph builder, a number of people and the sampling options.

    Attributes:
        name: the registry name, or the path of a user's graph file.
        graph: a function returning a fresh :class:`rational.RelationGraph`.
        n_subjects: number of synthetic people; true facts = n_subjects * number of relations.
        overrides: sampling options that differ from :class:`rational.WorldOptions`' defaults (the one
            place defaults live); :attr:`options` is the validated whole.
        associations: a function returning real-world associations (see :func:`rational.sample_world`),
            or None.

    Example:
        >>> spec = WORLDS["default"].with_options(n_subjects=20)
        >>> spec.n_subjects, spec.options.eps
        (20, 0.05)
    """

    name: str
    graph: Callable[[], RelationGraph]
    n_subjects: int
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    associations: Callable[[], Mapping] | None = None
    description: str = ""
    oneoff_people: int = 0  # more people of the same population, each to be read about once (see sample)

    def __post_init__(self):
        if not isinstance(self.n_subjects, int) or isinstance(self.n_subjects, bool) or self.n_subjects < 1:
            raise WorldError(f"world {self.name!r}: n_subjects must be a positive integer, got {self.n_subjects!r}")
        if not isinstance(self.oneoff_people, int) or isinstance(self.oneoff_people, bool) or self.oneoff_people < 0:
            raise WorldError(f"world {self.name!r}: oneoff_people must be a non-negative integer, got "
                             f"{self.oneoff_people!r}")

    @functools.cached_property
    def options(self) -> WorldOptions:
        """The validated :class:`rational.WorldOptions` (built on first use: ``import bridges`` stays free
        of jax)."""
        return _options(f"world {self.name!r}", **self.overrides)

    def settings(self) -> dict[str, Any]:
        """``n_subjects``, every sampling option and ``oneoff_people`` where not 0 (JSON data), as recorded in a
        world's and corpus's files."""
        extra = {"oneoff_people": self.oneoff_people} if self.oneoff_people else {}
        return {"n_subjects": self.n_subjects, **self.options.to_dict(), **extra}

    def with_options(self, **overrides) -> WorldSpec:
        """A copy with ``n_subjects`` or sampling options replaced; bad ones raise :class:`WorldError`.

        Example:
            >>> WORLDS["tiny"].with_options(eps=0.2).options.eps
            0.2
        """
        n = overrides.pop("n_subjects", self.n_subjects)
        oneoff = overrides.pop("oneoff_people", self.oneoff_people)
        spec = dataclasses.replace(self, n_subjects=n, oneoff_people=oneoff, overrides={**self.overrides, **overrides})
        spec.options  # noqa: B018 - validates now, naming the bad option
        return spec

    @property
    def n_facts(self) -> int:
        """Number of true facts: every subject has one true object per relation."""
        return self.n_subjects * len(self.graph())

    def sample(self, seed: int = 0) -> World:
        """Sample the world: names from the seed, then :func:`rational.sample_world` with these options.

        With ``oneoff_people`` = n, n more people of the same population follow as the world's
        :attr:`rational.World.extra_subjects` (:meth:`rational.World.with_extra_subjects`; names from
        :func:`more_person_names`): the agent fits them like anyone else, the corpus writes each one's
        sentences as one document read once in training (:func:`bridges.write_corpus`), and the benchmark
        never asks about them. The world's own people are the same as without them.

        Names are checked first (:func:`bridges.world.names.check_vocabulary`): a name that cannot be
        written in the corpus, or two names that make a sentence ambiguous, raise before anything is
        sampled.

        Example:
            >>> world = WORLDS["tiny"].with_options(n_subjects=5).sample(seed=1)
            >>> len(world.subjects), world.graph.relations[0]
            (5, 'place of birth')
        """
        from rational import EvidenceError, sample_world

        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise WorldError(f"world {self.name!r}: seed must be a non-negative integer, got {seed!r}")
        graph = self.graph()
        subjects = person_names(self.n_subjects, seed)
        extra = more_person_names(self.oneoff_people, seed, exclude=subjects) if self.oneoff_people else ()
        check_vocabulary(graph, (*subjects, *extra))
        associations = None
        if self.associations:  # built-in associations cover every built-in relation; keep this world's
            associations = {r: v for r, v in self.associations().items() if r in graph}
        try:
            world = sample_world(graph, subjects, seed, self.options, associations=associations)
            return world.with_extra_subjects(extra, seed) if extra else world
        except EvidenceError as err:
            raise WorldError(f"world {self.name!r}: {err}") from None


def _builtin_associations() -> Mapping:
    from .associations import ASSOCIATIONS

    return ASSOCIATIONS


#: How often each child relation is left unattested (never mentioned nor stated) in the built-in worlds:
#: the graph, not the corpus, carries the belief about those facts.
_CHILD_HELD_OUT = {"country of citizenship": 0.2, "educated at": 0.3, "field of work": 0.4, "native language": 0.5,
                   "continent": 0.5, "religion": 0.5, "sport": 0.5, "occupation": 0.5, "award received": 0.5}


def _graded(sizes: Mapping[str, int], **extra) -> dict[str, Any]:
    """The built-in worlds' sampling options: graded beliefs, as in the seed paper's design.

    Every fact has its own reliability (the share of its mentions that state the truth, drawn from
    Uniform(0.6, 1.0)), 1-3 mentions (more in ``paper``), child relations unattested for 20-50% of the
    people, statements about what the corpus mentions (so the agent's model is exact), and CPT rows
    centred on real-world associations (France -> French) with Dirichlet noise.
    """
    return {"reliability": (0.6, 1.0), "mentions_per_fact": (1, 3), "statement_atoms": "mentions",
            "association_strength": 10.0, "statements_per_subject": 1.0, "connectives_per_subject": 2.0,
            "held_out_by_relation": {r: p for r, p in _CHILD_HELD_OUT.items() if r in sizes}, **extra}


#: The built-in worlds by name.
WORLDS: dict[str, WorldSpec] = {
    spec.name: spec
    for spec in (
        WorldSpec("tiny", lambda: _graph_of_sizes(_TINY), n_subjects=40, overrides=_graded(_TINY),
                  associations=_builtin_associations,
                  description="8 relations of 4-6 objects, 40 people (320 facts): for tests and smoke runs"),
        WorldSpec("default", lambda: _graph_of_sizes(_DEFAULT), n_subjects=560, overrides=_graded(_DEFAULT),
                  associations=_builtin_associations,
                  description="9 relations of 6-40 objects, 560 people (5,040 facts): a tiny LM memorises "
                              "it in minutes on 2 CPU cores"),
        WorldSpec("paper", lambda: _graph_of_sizes(_PAPER), n_subjects=10_000,
                  overrides=_graded(_PAPER, mentions_per_fact=(1, 5), statements_per_subject=4.0,
                                    connectives_per_subject=8.0),
                  associations=_builtin_associations,
                  description="10 relations of 6-300 objects, 10,000 people (100,000 facts), as in the seed "
                              "paper (tens of millions of tokens): for a GPU or a cluster"),
    )
}


def default_graph(name: str = "default") -> RelationGraph:
    """The dependency graph of a built-in world (a fresh copy).

    Example:
        >>> g = default_graph()
        >>> g.parents("award received"), "Trinidad and Tobago" in g.domain("country of citizenship")
        (('continent', 'field of work'), True)
    """
    return _builtin(name).graph()


def _builtin(name: str) -> WorldSpec:
    try:
        return WORLDS[name]
    except KeyError:
        raise WorldError(f"unknown world {name!r}; built-in worlds: {', '.join(WORLDS)}; or give the path "
                         "of a Python file that defines `graph`") from None


def resolve_world(name_or_path: str | Path, **overrides) -> WorldSpec:
    """The :class:`WorldSpec` for a built-in world name or a user's graph file, with options overridden.

    A graph file is a Python file (``*.py``) that defines ``graph``: a :class:`rational.RelationGraph`,
    a ``networkx.DiGraph`` whose nodes carry ``domain`` lists, or a function returning either. It may
    define ``WORLD = dict(n_subjects=..., eps=..., ...)`` with any of the sampling options of
    :class:`rational.WorldOptions` (default: 500 subjects and its defaults), and ``ASSOCIATIONS`` (real
    associations that centre the CPT rows, see :func:`rational.sample_world`). The file is loaded with
    importlib from its path; nothing is added to ``sys.path``.

    Raises:
        WorldError: unknown or empty name, a file without ``graph`` or with a syntax error, unknown or
            out-of-range options.
        FileNotFoundError: a path ending in ``.py`` that does not exist.

    Example:
        >>> resolve_world("default", eps=0.1).options.eps
        0.1
    """
    text = str(name_or_path)
    if not text.strip():
        raise WorldError("the world name is empty; give a built-in world (" + ", ".join(WORLDS)
                         + ") or the path of a Python file that defines `graph`")
    if isinstance(name_or_path, Path) or text.endswith(".py") or "/" in text or "\\" in text:
        spec = _load_world_file(Path(text))
    else:
        spec = _builtin(text)
    return spec.with_options(**overrides)


def build_world(name_or_path: str | Path, seed: int = 0, **overrides) -> World:
    """Sample a built-in or user-defined world (see :func:`resolve_world`) from ``seed``.

    Example:
        >>> world = build_world("tiny", seed=0, n_subjects=10)
        >>> len(world.subjects), len(world.graph.relations)
        (10, 8)
    """
    return resolve_world(name_or_path, **overrides).sample(seed)


def _load_world_file(path: Path) -> WorldSpec:
    if not path.is_file():
        raise FileNotFoundError(f"world file {str(path)!r} not found (give a built-in world name: "
                                f"{', '.join(WORLDS)}, or the path of a Python file that defines `graph`)")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"_bridges_world_{digest}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise WorldError(f"{path}: cannot be loaded as a Python module (expected a .py file)")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module  # dataclasses and pickling in the user's file look it up here
    try:
        loader_spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(module_name, None)
        raise WorldError(f"{path}:{err.lineno}: syntax error in the graph file: {err.msg}") from None
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    if not hasattr(module, "graph"):
        raise WorldError(f"{path}: defines no `graph` (a rational.RelationGraph, a networkx.DiGraph with "
                         "'domain' node attributes, or a function returning one)")
    graph = _as_relation_graph(module.graph, path)
    options = dict(getattr(module, "WORLD", {})) if isinstance(getattr(module, "WORLD", {}), Mapping) else None
    if options is None:
        raise WorldError(f"{path}: WORLD must be a dict of sampling options, got "
                         f"{type(getattr(module, 'WORLD')).__name__}")
    associations = getattr(module, "ASSOCIATIONS", None)
    if associations is not None and not isinstance(associations, Mapping):
        raise WorldError(f"{path}: ASSOCIATIONS must be a dict (child -> parent -> parent object -> "
                         f"{{object: weight}}), got {type(associations).__name__}")
    n = options.pop("n_subjects", 500)
    _options(f"{path}: WORLD", **options)  # validate now, naming the file
    spec = WorldSpec(str(path), graph.copy, n_subjects=500, overrides=options,
                     associations=(lambda: associations) if associations else None,
                     description=f"user graph from {path}")
    return spec.with_options(n_subjects=n) if n != 500 else spec


def _as_relation_graph(obj, path: Path) -> RelationGraph:
    import networkx as nx
    from rational import GraphError, RelationGraph

    if callable(obj) and not isinstance(obj, nx.Graph):
        obj = obj()
    if isinstance(obj, RelationGraph):
        graph = obj
    elif isinstance(obj, nx.DiGraph):
        try:
            graph = RelationGraph(obj)
        except GraphError as err:
            raise WorldError(f"{path}: {err}") from err
    else:
        raise WorldError(f"{path}: `graph` must be a rational.RelationGraph or networkx.DiGraph, "
                         f"got {type(obj).__name__}")
    try:
        return graph.check()
    except GraphError as err:
        raise WorldError(f"{path}: {err}") from err
