"""lm: training, checkpoints, resume after a kill, torchrun, and bad input."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import pytest  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from lm._toy import write_toy_corpus  # noqa: E402

# a model and run small enough for a few seconds on one thread; threads=1 also makes runs bitwise comparable
SIZE = dict(d_model=32, n_layers=2, n_heads=2, d_ff=64, max_len=32)
RUN = dict(epochs=4, batch_size=8, context=16, lr=1e-2, threads=1, progress=False, eval_every=1, compile=False)


def _sets(**kw) -> list[str]:
    return [f"{k}={v}" for k, v in kw.items()]


def _cli(*args, python_flags=()):
    return [sys.executable, *python_flags, "-m", "lm", "train", *args]


def _state(path: Path) -> dict:
    return lm.load(path).model.state_dict()


def _same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_toy_corpus(tmp_path_factory.mktemp("corpus"), n_subjects=24, n_relations=3, seed=2)


@pytest.fixture(scope="module")
def run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return out, lm.train_from_corpus(corpus, out, **SIZE, **RUN)


def test_outputs_and_metrics(run):
    out, metrics = run
    assert {p.name for p in out.iterdir()} == {"model", "checkpoint", "metrics.json"}
    for name in ("config.json", "model.safetensors", "tokenizer.json", "lm_config.json"):
        assert (out / "model" / name).is_file()
    saved = json.loads((out / "metrics.json").read_text())
    for key in ("train_fact_accuracy", "heldout_fact_accuracy", "accuracy_curve", "tokens_per_s",
                "wall_time_s", "n_params", "preset", "model_config", "train_config"):
        assert key in saved
    assert [e for e, _, _ in saved["accuracy_curve"]] == [1, 2, 3, 4]
    assert saved["steps"] == saved["total_steps"] and saved["n_params"] == lm.n_params(lm.load(out).model)
    # the checkpoint is a loadable model too, and the final model equals it
    assert _same_weights(_state(out / "checkpoint"), _state(out))


def test_same_seed_same_tokenizer_and_weights(corpus, run, tmp_path):
    out, metrics = run
    again = lm.train_from_corpus(corpus, tmp_path, **SIZE, **RUN)
    assert (tmp_path / "model" / "tokenizer.json").read_text() == (out / "model" / "tokenizer.json").read_text()
    assert _same_weights(_state(tmp_path), _state(out))
    assert again["accuracy_curve"] == metrics["accuracy_curve"]


def test_compiled_training_is_deterministic(corpus, tmp_path):
    """torch.compile (the default) gives bitwise the same weights on a rerun, and computes what eager does.

    Without deterministic kernels the compiled embedding gradient scatters with atomic adds and reruns
    differ in the last bits. Compiled and eager *training* runs drift apart (Adam turns float32 rounding
    differences in near-zero gradients into full-size steps), so the function itself is compared: the
    compiled model's logits equal the eager ones to float32 rounding (5e-5 absolute on logits of size ~10).
    """
    settings = {**SIZE, **RUN, "compile": True, "epochs": 2, "eval_every": 0}
    first = lm.train_from_corpus(corpus, tmp_path / "a", **settings)
    second = lm.train_from_corpus(corpus, tmp_path / "b", **settings)
    assert _same_weights(_state(tmp_path / "a"), _state(tmp_path / "b"))
    assert first["first_step_s"] > 0 and second["train_fact_accuracy"] == first["train_fact_accuracy"]
    model = lm.load(tmp_path / "a").model.train()
    x = torch.randint(3, model.config.vocab_size, (4, 16), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        eager = model(input_ids=x).logits
        compiled = torch.compile(model)(input_ids=x).logits
    assert eager.abs().max() > 1 and torch.allclose(compiled, eager, rtol=0, atol=5e-5)


def test_failed_compilation_falls_back_to_eager(corpus, tmp_path, monkeypatch):
    def broken(module, *args, **kwargs):
        def call(*a, **kw):
            raise RuntimeError("no C++ compiler found")
        return call
    monkeypatch.setattr(torch, "compile", broken)
    settings = {**SIZE, **RUN, "compile": True, "epochs": 1, "eval_every": 0}
    with pytest.warns(RuntimeWarning, match="torch.compile failed .*no C\\+\\+ compiler.*compile=false"):
        lm.train_from_corpus(corpus, tmp_path / "a", **settings)
    lm.train_from_corpus(corpus, tmp_path / "b", **{**settings, "compile": False})
    assert _same_weights(_state(tmp_path / "a"), _state(tmp_path / "b"))


def _count_steps(monkeypatch) -> list:
    """Count the optimizer steps train_from_corpus takes from here on."""
    from lm import _train

    steps, real = [], _train.train_step

    def counting(*args, **kwargs):
        steps.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_train, "train_step", counting)
    return steps


def test_finished_run_is_not_retrained(corpus, run, monkeypatch):
    out, metrics = run
    steps = _count_steps(monkeypatch)
    weights = _state(out)
    again = lm.train_from_corpus(corpus, out, **SIZE, **RUN)
    assert steps == []  # not one training step: the finished run is only evaluated and written again
    assert again["accuracy_curve"] == metrics["accuracy_curve"] and again["tokens"] == metrics["tokens"]
    assert _same_weights(_state(out), weights)


def test_killed_run_resumes_to_the_same_weights(corpus, run, tmp_path, monkeypatch):
    """Kill a CLI run (SIGKILL) once it has checkpointed mid-way; resuming gives the uninterrupted weights.

    The run also reports its imports (``-X importtime``): training must not import jax or the sibling
    packages (checked here because a fresh interpreter importing lm costs seconds).
    """
    out, _ = run
    settings = {**SIZE, **RUN, "checkpoint_every": 5}
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:  # a file, not a pipe: the import log must never block the child
        proc = subprocess.Popen(_cli("--corpus", str(corpus), "--out", str(tmp_path / "out"), "--set",
                                     *_sets(**settings), python_flags=("-X", "importtime")),
                                stdout=subprocess.DEVNULL, stderr=err)
    tmp_path = tmp_path / "out"
    state = tmp_path / "checkpoint" / "trainer_state.pt"
    deadline = time.monotonic() + 120
    while not state.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    err = log.read_text()
    assert proc.returncode == -signal.SIGKILL, err[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in err.splitlines()
                if line.startswith("import time:")}
    assert "torch" in imported and not imported & {"jax", "rational", "coherence", "bridges"}
    assert not (tmp_path / "metrics.json").exists(), "the run finished before it could be killed"
    step = torch.load(lm._checkpoint.complete_dir(tmp_path / "checkpoint") / "trainer_state.pt",
                      weights_only=False)["step"]
    steps = _count_steps(monkeypatch)
    resumed = lm.train_from_corpus(corpus, tmp_path, **settings)
    assert 0 < step < resumed["steps"]
    assert len(steps) == resumed["steps"] - step  # only the steps the killed run had not taken
    assert _same_weights(_state(tmp_path), _state(out))


def test_early_stopped_run_resumed_with_another_target(corpus, run, tmp_path, monkeypatch):
    """A run stopped by ``target_accuracy`` and resumed: with a target it had reached it stays stopped; with
    a higher target, or none, it trains on to bitwise the weights of an uninterrupted run with that target
    (the learning-rate schedule depends on the total steps, which the target does not change)."""
    out, full = run
    curve = [acc for _, _, acc in full["accuracy_curve"]]  # the uninterrupted run without a target
    assert curve[0] < curve[1] < curve[2], curve  # targets curve[1] and curve[2] stop after epochs 2 and 3
    first = lm.train_from_corpus(corpus, tmp_path / "a", **SIZE, **RUN, target_accuracy=curve[1])
    assert first["stopped_early"] and [e for e, _, _ in first["accuracy_curve"]] == [1, 2]
    steps = _count_steps(monkeypatch)
    again = lm.train_from_corpus(corpus, tmp_path / "a", **SIZE, **RUN, target_accuracy=curve[1] / 2)
    assert steps == [] and again["stopped_early"] and again["steps"] == first["steps"]
    higher = lm.train_from_corpus(corpus, tmp_path / "a", **SIZE, **RUN, target_accuracy=curve[2])
    assert higher["stopped_early"] and len(steps) == higher["steps"] - first["steps"] > 0
    monkeypatch.undo()
    straight = lm.train_from_corpus(corpus, tmp_path / "b", **SIZE, **RUN, target_accuracy=curve[2])
    assert higher["accuracy_curve"] == straight["accuracy_curve"] and higher["steps"] == straight["steps"]
    assert _same_weights(_state(tmp_path / "a"), _state(tmp_path / "b"))
    rest = lm.train_from_corpus(corpus, tmp_path / "a", **SIZE, **RUN, target_accuracy=None)
    assert not rest["stopped_early"] and rest["steps"] == full["steps"]
    assert rest["accuracy_curve"] == full["accuracy_curve"]
    assert _same_weights(_state(tmp_path / "a"), _state(out))


# ---- bad input: clear errors, nothing overwritten ------------------------------------------------------
def test_unknown_preset_or_setting_writes_nothing(corpus, tmp_path):
    with pytest.raises(lm.LMError, match="unknown preset 'huge'"):
        lm.train_from_corpus(corpus, tmp_path / "a", preset="huge")
    with pytest.raises(lm.LMError, match="unknown settings \\['epoch'\\]"):
        lm.train_from_corpus(corpus, tmp_path / "b", epoch=3)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_other_configuration_in_out_dir_is_refused(corpus, run):
    out, _ = run
    before = (out / "checkpoint" / "trainer_state.pt").read_bytes()
    with pytest.raises(lm.CheckpointError, match="another corpus or configuration"):
        lm.train_from_corpus(corpus, out, **SIZE, **{**RUN, "lr": 5e-3})
    assert (out / "checkpoint" / "trainer_state.pt").read_bytes() == before


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


CORRUPT = [
    ("missing dir", lambda d: __import__("shutil").rmtree(d), "no model directory|missing"),
    ("missing weights config", lambda d: (d / "config.json").unlink(), "config.json is missing"),
    ("truncated weights", lambda d: (d / "model.safetensors").write_bytes(b"\0" * 10), "cannot load the weights"),
    ("corrupt tokenizer", lambda d: (d / "tokenizer.json").write_text("{"), "corrupt tokenizer"),
    ("corrupt lm_config", lambda d: (d / "lm_config.json").write_text("{"), "corrupt"),
]


@pytest.mark.parametrize("name,corrupt,message", CORRUPT, ids=[c[0] for c in CORRUPT])
def test_corrupt_model_is_a_clear_error(run, tmp_path, name, corrupt, message):
    d = _copy(run[0] / "model", tmp_path / "m")
    corrupt(d)
    with pytest.raises(lm.CheckpointError, match=message):
        lm.load(d)


def test_mismatched_tokenizer_is_refused(run, tmp_path):
    d = _copy(run[0] / "model", tmp_path / "m")
    other = write_toy_corpus(tmp_path / "other", n_subjects=5, n_relations=1, seed=9)
    c = lm.read_corpus(other)
    lm.train_tokenizer(c.texts, c.names()).save(d)
    with pytest.raises(lm.CheckpointError, match="not the tokenizer this model was trained with"):
        lm.load(d)


def test_corrupt_checkpoint_refuses_to_resume_and_is_kept(corpus, run, tmp_path):
    out = tmp_path / "run"
    _copy(run[0], out)
    (out / "checkpoint" / "trainer_state.pt").write_bytes(b"garbage")
    with pytest.raises(lm.CheckpointError, match="corrupt training state"):
        lm.train_from_corpus(corpus, out, **SIZE, **RUN)
    assert (out / "checkpoint" / "trainer_state.pt").read_bytes() == b"garbage"


@pytest.mark.slow  # a fresh interpreter importing torch and transformers: 5-15 s on a busy 2-core machine
def test_cli_reports_bad_input_without_a_traceback(corpus, tmp_path):
    res = subprocess.run(_cli("--corpus", str(corpus), "--out", str(tmp_path / "o"), "--preset", "huge"),
                         capture_output=True, text=True)
    assert res.returncode == 2 and "unknown preset 'huge'" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("setting, message", [
    ("lr=abc", "TrainConfig.lr must be a finite float, got 'abc'"),
    ("epochs=2.5", "TrainConfig.epochs must be an int, got 2.5"),
    ("tie_embeddings=yes", "ModelConfig.tie_embeddings must be a bool (true or false), got 'yes'"),
])
def test_cli_set_of_the_wrong_type_is_one_line(corpus, tmp_path, capsys, setting, message):
    from lm.__main__ import main

    assert main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "o"), "--set", setting]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"  # one line naming the key and its type, exit 2
    assert not (tmp_path / "o").exists()


# ---- distributed ---------------------------------------------------------------------------------------
def test_torchrun_two_cpu_processes(corpus, tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    settings = {**SIZE, **RUN, "epochs": 2}
    res = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "lm", "train",
                          "--corpus", str(corpus), "--out", str(tmp_path), "--set", *_sets(**settings)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and metrics["steps"] == metrics["total_steps"]
    # one process on the same batches: each rank takes half of every batch and DDP averages the gradients,
    # so the runs differ only by float rounding, which Adam amplifies over the steps; the per-epoch mean
    # losses agree to 2% (measured: 0.1-0.5%), the accuracies within 5 points
    one = lm.train_from_corpus(corpus, tmp_path / "one", **settings)
    for (_, _, a), (_, _, b) in zip(metrics["loss_curve"], one["loss_curve"]):
        assert abs(a - b) <= 0.02 * b, (metrics["loss_curve"], one["loss_curve"])
    assert abs(metrics["train_fact_accuracy"] - one["train_fact_accuracy"]) <= 0.05
