"""The faults a new user met in the pipeline (issue 21, item 6), each with a test: a clear error naming the
culprit (file, section, key, value, stage, process), or the right behaviour.

A tiny world and a micro LM, run once per module (``finished_run``) and copied by the tests that change it;
nothing here trains a real model.
"""

import errno
import importlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

import bridges
import bridges.cli
import rational
from bridges import PipelineError, RunConfig, run_pipeline, run_stage
from bridges.run.pool import RecordFiles, join_workers
from micro_run import MICRO, copy_run, run_config, with_overrides

TINY = with_overrides(MICRO, evaluate={"n_requests": 4, "chunk": 1, "workers": 1, "threads": 1})

# a user's update rule: move halfway to certainty in obj (Jeffrey with q = (P + one-hot) / 2)
RULE = '''
def {fn}(posterior, subject, relation, obj, /):
    q = 0.5 * posterior.distribution(subject, relation)
    q[posterior.graph.object_index(relation, obj)] += 0.5
    return rational.update(posterior, "jeffrey", subject, relation, q=q)
'''


def _sections(**overrides) -> dict:
    return with_overrides(TINY, **overrides)


def _config(**overrides) -> RunConfig:
    return run_config(TINY, **overrides)


def _rule_module(name: str) -> str:
    """A module registering the rule ``name`` (unguarded, as a user writes it)."""
    return (f"import rational\n{RULE.format(fn=name)}\nrational.register_rule({name!r}, {name})\n")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    run_pipeline(run, _config(), quiet=True)
    return run


@pytest.fixture
def registry(monkeypatch):
    """The rule registry as it was before the test (a test's own rules are forgotten afterwards)."""
    from rational import _rules

    monkeypatch.setattr(_rules, "_RULES", dict(_rules._RULES))
    monkeypatch.setattr(_rules, "_OPTIONS", dict(_rules._OPTIONS))


def _evaluations(monkeypatch) -> list[list[int]]:
    """The chunks (request indices) the evaluate stage evaluates from now on, in this process."""
    module = importlib.import_module("bridges.bench.evaluate")
    real, calls = module.evaluate, []

    def counting(*args, **kwargs):
        calls.append(list(args[4]))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "evaluate", counting)
    return calls


def _intact_records(run) -> tuple[list[int], int]:
    """The indices of the intact record lines of a run's evaluate stage, and how many lines are not."""
    stamp = json.loads((run / "evaluate" / "started.json").read_text())["stamp"]
    done, bad = RecordFiles(run / "evaluate", stamp).read()
    return sorted(done), bad


# -- 1, 2, 18: records edited or cut are set aside, not reused ----------------------------------------------
def test_an_edited_record_is_set_aside_and_evaluated_again(finished_run, tmp_path, monkeypatch, capsys):
    run = copy_run(finished_run, tmp_path)
    records = run / "evaluate" / "records.jsonl"
    lines = records.read_text().splitlines(keepends=True)
    entry = json.loads(lines[1])  # request 1 (one request per chunk, one process: in order)
    entry["record"]["reference"]["bayes:bayes"]["p_requested_pre"] = 0.5  # its checksum left as it was
    lines[1] = json.dumps(entry) + "\n"
    records.write_text("".join(lines))
    # the records are the stage's partial work, not its outputs: results.json is intact and up to date
    assert not run_stage("evaluate", run, _config(), quiet=True)
    (run / "results.json").unlink()  # "regenerate the results from the records"
    calls = _evaluations(monkeypatch)
    assert run_stage("evaluate", run, _config())
    out = capsys.readouterr().out
    assert "evaluate: 1 record line(s)" in out and "were cut short, changed or written under other settings" in out
    assert calls == [[1]]  # the edited record is computed again, the others are reused
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_a_cut_last_line_is_dropped_and_the_count_stays_within_the_total(finished_run, tmp_path, monkeypatch,
                                                                          capsys):
    run = copy_run(finished_run, tmp_path, drop=("evaluate/stage.json",))  # interrupted, under the same stamp
    records = run / "evaluate" / "records.jsonl"
    data = records.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    records.write_bytes(data[: last + (len(data) - last) // 2])  # a crash in the middle of the last line
    calls = _evaluations(monkeypatch)
    assert run_stage("evaluate", run, _config())
    captured = capsys.readouterr()
    assert calls == [[3]]
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()
    assert _intact_records(run) == ([0, 1, 2, 3], 0)  # no broken line left in the file
    # the progress bar (tqdm, on stderr) starts from the finished chunks and ends at 4/4, never past it
    counts = [(int(n), int(total)) for n, total in re.findall(r"\| *(\d+)/(\d+) \[", captured.err)]
    assert counts and counts[-1] == (4, 4) and all(n <= total == 4 for n, total in counts)


# -- 3: helper processes die with the main process ----------------------------------------------------------
@pytest.fixture(scope="module")
def long_evaluation(finished_run, tmp_path_factory):
    """A run whose evaluate stage takes a while (200 requests, one per chunk) and its config file."""
    folder = tmp_path_factory.mktemp("long")
    run = copy_run(finished_run, folder, drop=("evaluate", "results.json", "report"))
    sections = _sections(evaluate={"n_requests": 200, "implication_share": 0.0, "workers": 2},
                         edit={"lora": {"steps": 20}})
    config = folder / "run.toml"
    config.write_text(bridges.config_to_toml(sections))
    run_stage("requests", run, bridges.load_config(config), quiet=True)
    return run, config


def _running(process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow  # two interpreters start one after the other (the main process, then its helper): 20-40 s on 2
#                    shared cores
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_helper_processes_die_with_the_main_process(long_evaluation, tmp_path, sig):
    src, config = long_evaluation
    run = tmp_path / "run"
    shutil.copytree(src, run)
    log = tmp_path / "stderr.txt"
    with open(log, "w") as stderr:
        main = subprocess.Popen([sys.executable, "-m", "bridges", "evaluate", "--run", str(run), "--config",
                                 str(config), "--quiet"], stdout=subprocess.DEVNULL, stderr=stderr)
    children = []
    try:
        helper = run / "evaluate" / "records.worker1.jsonl"
        deadline = time.monotonic() + 300
        while not (helper.exists() and helper.stat().st_size > 0):  # the helper has written a chunk
            assert main.poll() is None, f"the evaluate stage ended before its helper worked: {log.read_text()}"
            assert time.monotonic() < deadline, "the helper process wrote nothing in 300 s"
            time.sleep(0.1)
        children = psutil.Process(main.pid).children(recursive=True)  # the helper, multiprocessing's tracker
        assert any("spawn_main" in " ".join(c.cmdline()) for c in children)
        os.kill(main.pid, sig)
        main.wait(timeout=30)
        deadline = time.monotonic() + 5
        while any(_running(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [c.pid for c in children if _running(c)], "processes outlived the main process"
        sizes = {p.name: p.stat().st_size for p in (run / "evaluate").glob("records*.jsonl")}
        time.sleep(1.5)
        assert {p.name: p.stat().st_size for p in (run / "evaluate").glob("records*.jsonl")} == sizes
    finally:
        for p in [main, *children]:
            try:
                p.kill()
            except (ProcessLookupError, psutil.NoSuchProcess):
                pass
        main.wait()


# -- 4, 9, 11: settings the model or the world cannot serve are refused before any stage --------------------
REFUSED = [
    ("LoRA layer out of range", {"edit": {"lora": {"layers": [5]}}},
     "[edit.lora]: LoraEditConfig.layers [5] out of range for a 1-layer model"),
    ("unknown LoRA module", {"edit": {"lora": {"target_modules": ["nope"]}}},
     "[edit.lora]: LoraEditConfig.target_modules ['nope'] name no Linear module of the decoder layers"),
    ("more requests than the world has", {"evaluate": {"n_requests": 1000000}},
     "[evaluate] asked for 1,000,000 edit requests, but a world of 16 people over these 8 relations has at most 480"),
    ("more implications than the world has", {"evaluate": {"n_requests": 400, "implication_share": 1.0}},
     "(implication_share 1.0 of 400), but a world of 16 people has at most 304"),
]


@pytest.mark.parametrize("case, sections, message", REFUSED, ids=[c[0] for c in REFUSED])
def test_settings_the_model_or_world_cannot_serve_are_refused_at_once(tmp_path, case, sections, message):
    with pytest.raises(PipelineError) as err:
        run_pipeline(tmp_path / "run", _config(**sections), quiet=True)
    assert message in str(err.value) and str(err.value).startswith("test: ")
    assert not (tmp_path / "run").exists()  # validated before any stage


def test_implications_in_a_one_relation_world_are_refused_at_once(tmp_path):
    graph = tmp_path / "one.py"
    graph.write_text("import rational\ngraph = rational.RelationGraph().add_relation('colour', ['red', 'blue'])\n")
    with pytest.raises(PipelineError, match=r"implication_share 0\.5 of 4\), but no relation has a descendant"):
        _config(world={"name": str(graph), "n_subjects": 12}).validate()


def test_implications_the_fitted_agent_cannot_give_are_refused_before_training(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path, drop=("train", "requests", "evaluate", "results.json", "report"))
    # the world's shape allows 20 (so the config is valid), but no edit moves a belief by a total variation of 1
    config = _config(evaluate={"n_requests": 20, "implication_share": 1.0, "min_shift": 1.0})
    with pytest.raises(PipelineError, match=r"asked for 20 edit requests with downstream implications "
                                            r"\(implication_share 1\.0 of 20\), but this world gives at most \d+ .*"
                                            r"\(checked before training\)"):
        run_pipeline(run, config, quiet=True)
    assert (run / "fit" / "stage.json").exists() and not (run / "train" / "stage.json").exists()


# -- 10: many requests: as many as the world has, or a clear error at once ----------------------------------
def test_requests_up_to_the_worlds_capacity_are_drawn():
    from bridges.bench.requests import request_capacity, sample_requests

    world = bridges.build_world("tiny", n_subjects=10)
    agent = bridges.BayesBeliever(rational.fit(world))
    most = request_capacity(world.graph, 10, 1)["requests"]  # 10 people x 30 non-top objects per person
    assert most == 300
    for n in (81, most):  # more requests than (subject, relation) pairs (80): pairs are asked again
        config = bridges.EvaluateConfig(n_requests=n, implication_share=0.0, fixing_share=0.5)
        requests = sample_requests(world, agent, config, agent)
        assert len(set(requests)) == n
        tops = {(r.subject, r.relation): agent.domain(r.relation)[int(d.argmax())]
                for r, d in zip(requests, agent.distributions([(r.subject, r.relation) for r in requests])[0])}
        assert all(r.obj != tops[r.subject, r.relation] for r in requests)
    t = time.perf_counter()
    with pytest.raises(ValueError, match="asked for 301 edit requests, but a world of 10 people .* has at most 300"):
        sample_requests(world, agent, bridges.EvaluateConfig(n_requests=most + 1, implication_share=0.0), agent)
    assert time.perf_counter() - t < 1  # from the world's shape, before anything is drawn


def test_an_implication_count_out_of_reach_stops_early(monkeypatch):
    """The supply check before training stops once the pairs seen show the count is out of reach, instead of
    trying every pair (on the default world, n_requests = 10000 tried all 2,800 pairs: 100 s on 2 busy cores,
    now 10 s)."""
    from bridges.bench import requests as module

    world = bridges.build_world("tiny", n_subjects=100)
    agent = bridges.BayesBeliever(rational.fit(world))
    tried = []
    real = module._shift
    monkeypatch.setattr(module, "_shift", lambda *args: (tried.append(1), real(*args))[1])
    # no edit moves a belief by a total variation of 1: none of the 400 asked can be found
    config = bridges.EvaluateConfig(n_requests=400, implication_share=1.0, min_shift=1.0, tries=1)
    found = module.implication_supply(world, agent, config, 400)
    assert len(tried) == 200  # one edit per pair; the first look at the pairs seen (after 200 of 100 x 5) stops
    # Hoeffding: 0 found in 200 of 500 pairs puts the mean per pair below sqrt(ln(1e9) / 400) (error < 1e-9)
    assert found == math.ceil(500 * math.sqrt(math.log(1e9) / 400)) == 114
    reachable = bridges.EvaluateConfig(n_requests=40, implication_share=1.0)
    assert module.implication_supply(world, agent, reachable, 40) == 40  # within reach: counted exactly


# -- 12: a stage's own records holding something other than a JSON object -------------------------------------
@pytest.mark.parametrize("stage, name", [("world", "stage.json"), ("report", "stage.json"),
                                         ("evaluate", "started.json")])
def test_a_stage_record_holding_a_list_reruns_the_stage(finished_run, tmp_path, stage, name):
    run = copy_run(finished_run, tmp_path)
    (run / stage / name).write_text("[1, 2]")
    if name == "started.json":
        (run / stage / "stage.json").unlink()  # interrupted
    ran = [s for s in bridges.STAGES if run_stage(s, run, _config(), quiet=True)]
    assert ran == [stage]  # its outputs come out the same, so nothing after it is stale
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_a_run_directory_that_is_a_file_is_named(tmp_path, capsys):
    (tmp_path / "results.json").write_text("{}")
    assert bridges.cli.main(["world", "--run", str(tmp_path / "results.json"), "--world", "tiny"]) == 2
    assert f"run directory '{tmp_path / 'results.json'}' is a file, not a directory" in capsys.readouterr().err


# -- 5, 6: what a run's results depend on outside the run directory is stamped --------------------------------
def test_a_data_file_read_by_a_graph_file_is_stamped(tmp_path):
    domains = tmp_path / "domains.json"
    domains.write_text(json.dumps({"colour": ["red", "blue"], "mood": ["calm", "sad"]}))
    graph = tmp_path / "g.py"
    graph.write_text(textwrap.dedent("""
        import json, pathlib, rational
        domains = json.loads((pathlib.Path(__file__).parent / "domains.json").read_text())
        graph = rational.RelationGraph()
        for relation, objects in domains.items():
            graph.add_relation(relation, objects)
        graph.add_edge("colour", "mood")
        WORLD = {"n_subjects": 12}
    """))
    config = _config(world={"name": str(graph), "n_subjects": 12}, evaluate={"n_requests": 2})
    run = tmp_path / "run"
    assert run_stage("world", run, config, quiet=True)
    assert not run_stage("world", run, config, quiet=True)  # unchanged: up to date
    domains.write_text(json.dumps({"colour": ["red", "blue"], "mood": ["calm", "angry"]}))
    assert run_stage("world", run, config, quiet=True)
    assert bridges.load_world(run / "world" / "world.json").graph.domain("mood") == ("calm", "angry")


def test_a_module_imported_by_a_graph_file_is_stamped_the_same_at_every_load(tmp_path, monkeypatch):
    """Whether the module (or the toolkit's package data) was loaded before in the process does not change the
    world's stamp; editing the module does."""
    helper = tmp_path / "reliability_domains.py"
    helper.write_text('DOMAINS = {"colour": ["red", "blue"], "mood": ["calm", "sad"]}\n')
    graph = tmp_path / "g.py"
    graph.write_text("import rational\nfrom reliability_domains import DOMAINS\n\ngraph = rational.RelationGraph()\n"
                     "for relation, objects in DOMAINS.items():\n    graph.add_relation(relation, objects)\n"
                     "graph.add_edge('colour', 'mood')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = _config(world={"name": str(graph), "n_subjects": 12}, evaluate={"n_requests": 2})
    run = tmp_path / "run"
    try:
        assert run_stage("world", run, config, quiet=True)  # the module is imported (and compiled) here
        assert not run_stage("world", run, config, quiet=True)  # here it is cached: the stamp is the same
        helper.write_text(helper.read_text().replace("sad", "angry"))
        sys.modules.pop("reliability_domains")  # a new process would import the edited file
        assert run_stage("world", run, config, quiet=True)
    finally:
        sys.modules.pop("reliability_domains", None)
    assert bridges.load_world(run / "world" / "world.json").graph.domain("mood") == ("calm", "angry")


def test_editing_a_user_rule_reruns_the_stages_that_use_it(finished_run, tmp_path, monkeypatch, registry):
    module = tmp_path / "reliability_rules.py"
    module.write_text(_rule_module("reliability_halfway"))
    monkeypatch.syspath_prepend(str(tmp_path))
    config = _config(run={"imports": ["reliability_rules"]}, evaluate={"rules": ["bayes", "reliability_halfway"]})
    run = copy_run(finished_run, tmp_path)
    try:
        run_pipeline(run, config, quiet=True)
        module.write_text(module.read_text() + "# a comment is an edit too\n")
        ran = [s for s in bridges.STAGES if run_stage(s, run, config, quiet=True)]
    finally:
        sys.modules.pop("reliability_rules", None)
    assert ran == ["requests", "evaluate"]  # the stages whose stamps hold the rule's code; the report's input
    #                                          (the results) comes out the same


# -- 7, 8: a graph file that exits or raises is one line naming it ------------------------------------------
GRAPH_FILES = [
    ("sys.exit(0)", "import sys\nsys.exit(0)\n", "g.py: the graph file called sys.exit(0) while it was loaded"),
    ("sys.exit with text", "import sys\n\nsys.exit('bye')\n", "g.py: the graph file called sys.exit('bye')"),
    ("raises", "import rational\n\nscale = 1 / 0\n",
     "g.py:3: the graph file raised ZeroDivisionError: division by zero"),
]


@pytest.mark.parametrize("case, text, message", GRAPH_FILES, ids=[c[0] for c in GRAPH_FILES])
def test_a_graph_file_that_exits_or_raises_is_one_line_naming_it(tmp_path, capsys, case, text, message):
    (tmp_path / "g.py").write_text(text)
    assert bridges.cli.main(["run", "--run", str(tmp_path / "run"), "--world", str(tmp_path / "g.py")]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.out == "" and not (tmp_path / "run").exists()


# -- 13, 14, 15: the user's rules reach the evaluate stage's helper processes --------------------------------
SESSION = '''
import json, sys
import bridges, rational
{rule}
rational.register_rule("halfway2", halfway2)
for workers in (2, 1):
    sections = json.loads(sys.argv[2])
    sections["evaluate"]["workers"] = workers
    try:
        bridges.run_pipeline(sys.argv[1], bridges.RunConfig().merged(sections, "python -c"), quiet=True)
        print(f"workers = {{workers}}: done")
    except bridges.PipelineError as err:
        print(f"workers = {{workers}}: {{err}}")
'''


def test_a_rule_registered_in_a_session_is_refused_where_helpers_need_it(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    sections = _sections(evaluate={"rules": ["bayes", "halfway2"]})
    proc = subprocess.run([sys.executable, "-c", SESSION.format(rule=RULE.format(fn="halfway2")), str(run),
                           json.dumps(sections)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    two, one = proc.stdout.splitlines()
    assert two.startswith("workers = 2: evaluate: update rule 'halfway2' was registered in this session (__main__: "
                          "python -c, a notebook or an interactive prompt)") and "--import MODULE" in two
    assert one == "workers = 1: done"
    assert "bayes:halfway2" in json.loads((run / "results.json").read_text())["summary"]["groups"]["all"]["reference"]


def test_a_graph_file_registering_a_rule_unguarded_works_with_helpers(tmp_path, registry):
    graph = tmp_path / "g.py"
    graph.write_text('import bridges, rational\n\ngraph = bridges.default_graph("tiny")\nWORLD = {"n_subjects": 16}\n'
                     + RULE.format(fn="graph_rule") + '\nrational.register_rule("graph_rule", graph_rule)\n')
    one = tmp_path / "one"
    config = dict(world={"name": str(graph), "n_subjects": 16}, evaluate={"rules": ["bayes", "graph_rule"]})
    run_pipeline(one, _config(**config), quiet=True)  # the graph file runs again at each validation
    two = copy_run(one, tmp_path, drop=("evaluate", "results.json", "report"))
    run_stage("evaluate", two, _config(**{**config, "evaluate": {**config["evaluate"], "workers": 2}}), quiet=True)
    assert (two / "evaluate" / "records.worker1.jsonl").exists()  # the helper ran (it loaded the rule from g.py)
    assert json.loads((two / "results.json").read_text())["records"] == \
        json.loads((one / "results.json").read_text())["records"]


def test_run_imports_a_users_rule_module_into_every_process(finished_run, tmp_path):
    """The issue's "Done when": ``python -m bridges run --config X.toml --import my_rules`` with workers = 2."""
    (tmp_path / "my_rules.py").write_text(_rule_module("my_halfway"))
    run = copy_run(finished_run, tmp_path)
    config = tmp_path / "X.toml"
    config.write_text(bridges.config_to_toml(_sections(evaluate={"rules": ["bayes", "my_halfway"], "workers": 2})))
    proc = subprocess.run([sys.executable, "-m", "bridges", "run", "--run", str(run), "--config", "X.toml", "--import",
                           "my_rules", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (run / "evaluate" / "records.worker1.jsonl").exists()  # the helper loaded my_rules
    results = json.loads((run / "results.json").read_text())
    assert "bayes:my_halfway" in results["summary"]["groups"]["all"]["reference"] and len(results["records"]) == 4


# -- 16, 17, 19: messages ------------------------------------------------------------------------------------
class _Ended:
    """A helper process that has ended with ``exitcode``."""

    name = "evaluate worker 1"

    def __init__(self, exitcode):
        self.exitcode = exitcode

    def is_alive(self):
        return False

    def join(self, timeout=None):
        pass


@pytest.mark.parametrize("exitcode, message", [
    (-9, "evaluate worker 1 was killed by signal 9 (SIGKILL); the finished chunks are kept"),
    (-15, "evaluate worker 1 was killed by signal 15 (SIGTERM)"),
    (1, "evaluate worker 1 stopped with exit code 1 (its traceback is printed above)"),
])
def test_a_failed_helper_is_named_with_how_it_ended(exitcode, message):
    join_workers([_Ended(0)], queue=None, progress=None)  # a helper that finished: no error
    with pytest.raises(PipelineError, match=re.escape(message)):
        join_workers([_Ended(0), _Ended(exitcode)], queue=None, progress=None)


def test_a_fit_that_stops_early_says_it_did_not_converge(finished_run, tmp_path, capsys):
    run = copy_run(finished_run, tmp_path)
    with pytest.warns(RuntimeWarning, match=r"EM stopped after \d+ iterations .*; raise max_iter"):
        assert run_stage("fit", run, _config(fit={"max_iter": 1}))
    out = capsys.readouterr().out
    assert re.search(r"fit: the rational agent, \d+ EM steps \(not converged: the last step moved a CPT entry by "
                     r"[0-9.e+-]+; raise \[fit\] max_iter\)", out)
    assert "fixed point" not in out


@pytest.mark.parametrize("stage, written", [("fit", "fit/posterior.npz"), ("world", "world/world.json"),
                                            ("corpus", "corpus/corpus.jsonl"), ("evaluate", "evaluate/started.json")])
def test_a_full_disk_names_the_file(finished_run, tmp_path, capsys, monkeypatch, stage, written):
    run = copy_run(finished_run, tmp_path)
    config = tmp_path / "run.toml"
    config.write_text(bridges.config_to_toml(TINY))

    def full(fd):  # what the kernel reports: no file name
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert bridges.cli.main([stage, "--run", str(run), "--config", str(config), "--force", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (f"bridges {stage}: error: the disk is full (writing {run / written}); free some space and run the "
                   "same command again (finished stages are kept, interrupted ones resume)\n")


def test_a_full_disk_while_appending_records_names_the_file(finished_run, tmp_path, monkeypatch):
    run = copy_run(finished_run, tmp_path, drop=("evaluate/stage.json",))
    (run / "evaluate" / "records.jsonl").write_text("")  # resumed with every chunk to do
    real = os.fsync

    def full_for_records(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("records.jsonl"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to tell the records file's descriptor")
    monkeypatch.setattr(os, "fsync", full_for_records)
    with pytest.raises(OSError) as raised:
        run_stage("evaluate", run, _config(), quiet=True)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(run / "evaluate" / "records.jsonl")
