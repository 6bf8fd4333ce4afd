"""Atomic output helpers (bridges._io): complete files or nothing."""

import json

import pytest

import bridges


def test_atomic_write_text_json_bytes(tmp_path):
    p = bridges.atomic_write_text(tmp_path / "a.txt", "héllo")
    assert p.read_text(encoding="utf-8") == "héllo"
    bridges.atomic_write_text(p, "replaced")
    assert p.read_text() == "replaced"
    j = bridges.atomic_write_json(tmp_path / "m.json", {"country": "São Tomé and Príncipe"})
    assert json.loads(j.read_text(encoding="utf-8")) == {"country": "São Tomé and Príncipe"}
    assert "São" in j.read_text(encoding="utf-8")  # non-ASCII kept verbatim
    assert bridges.atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt", "b.bin", "m.json"]  # no temporaries


def test_atomic_open_failure_keeps_the_old_file(tmp_path):
    p = bridges.atomic_write_text(tmp_path / "a.txt", "old")
    with pytest.raises(RuntimeError):
        with bridges.atomic_open(p) as f:
            f.write("half")
            raise RuntimeError("crash")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]
    with pytest.raises(TypeError):  # unserialisable: fails before any file is touched
        bridges.atomic_write_json(tmp_path / "x.json", {"a": object()})
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bridges.atomic_write_text(tmp_path / "no" / "dir.txt", "x")
    with pytest.raises(ValueError, match="mode"):
        with bridges.atomic_open(tmp_path / "y.txt", "a"):
            pass


def test_atomic_outputs_commit_and_rollback(tmp_path):
    out = tmp_path / "deep" / "run"
    with bridges.atomic_outputs(out) as stage:
        with stage.open("data.jsonl") as f:
            f.write("{}\n")
        stage.path("weights.bin").write_bytes(b"w")  # a writer that takes a path
        stage.write_json("metadata.json", {"ok": True})
        assert sorted(x.name for x in out.iterdir() if not x.name.startswith(".")) == []  # nothing visible yet
    assert sorted(x.name for x in out.iterdir()) == ["data.jsonl", "metadata.json", "weights.bin"]

    with pytest.raises(RuntimeError):
        with bridges.atomic_outputs(out) as stage:
            stage.write_text("data.jsonl", "new")
            raise RuntimeError("crash")
    assert (out / "data.jsonl").read_text() == "{}\n"
    assert sorted(x.name for x in out.iterdir()) == ["data.jsonl", "metadata.json", "weights.bin"]

    fresh = tmp_path / "a" / "b"
    with pytest.raises(RuntimeError):
        with bridges.atomic_outputs(fresh) as stage:
            stage.write_text("x.txt", "x")
            raise RuntimeError("crash")
    assert not (tmp_path / "a").exists()

    with pytest.raises(FileNotFoundError, match="never written"):
        with bridges.atomic_outputs(tmp_path / "c") as stage:
            stage.path("missing.bin")
    assert not (tmp_path / "c").exists()
    with pytest.raises(ValueError, match="plain file names"):
        with bridges.atomic_outputs(tmp_path / "d") as stage:
            stage.path("sub/x.txt")
    with pytest.raises(ValueError, match="already staged"):
        with bridges.atomic_outputs(tmp_path / "e") as stage:
            stage.write_text("x.txt", "1")
            stage.write_text("x.txt", "2")


def test_atomic_outputs_rejects_a_file_as_directory(tmp_path):
    f = bridges.atomic_write_text(tmp_path / "f", "x")
    with pytest.raises(NotADirectoryError):
        with bridges.atomic_outputs(f):
            pass


def test_atomic_directory(tmp_path):
    ckpt = tmp_path / "ckpt"
    with bridges.atomic_directory(ckpt) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "w.bin").write_bytes(b"1")
        assert not ckpt.exists()
    assert (ckpt / "sub" / "w.bin").read_bytes() == b"1"
    with pytest.raises(FileExistsError, match="overwrite=True"):
        with bridges.atomic_directory(ckpt):
            pass
    with pytest.raises(RuntimeError):
        with bridges.atomic_directory(ckpt, overwrite=True) as tmp:
            (tmp / "w.bin").write_bytes(b"2")
            raise RuntimeError("crash")
    assert (ckpt / "sub" / "w.bin").read_bytes() == b"1"
    with bridges.atomic_directory(ckpt, overwrite=True) as tmp:
        (tmp / "w.bin").write_bytes(b"2")
    assert [x.name for x in ckpt.iterdir()] == ["w.bin"]
    assert sorted(x.name for x in tmp_path.iterdir()) == ["ckpt"]  # no temporaries or old copies left
