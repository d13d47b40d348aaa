"""The app's file options on the command line: --files-dir, --screenshot-dir, --keymap,
--load, and serve's --files-dir. Each mistake is one line and exit 2 before the app
starts; what passes reaches the app's constructor checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_tui.app_options import app_parser
from backprop_tui.app_setup import prepare, run_options_given
from backprop_tui.core.files.savefile import SavedBreakpoint, save, state_of
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session
from backprop_tui.options import UsageError

NOT_A_TERMINAL = "the app draws on a terminal"  # every check before it passed


def run(*args: str, cwd: Path | None = None, env: dict | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backprop_tui", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=env, stdin=subprocess.DEVNULL)


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("backprop-tui: error:"), proc.stderr
    return lines[0]


def setup_of(argv: list[str]):
    return prepare(app_parser().parse_args(argv), argv)


def test_files_dir_must_be_an_existing_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert "no such directory" in one_line(run("--files-dir", str(tmp_path / "nope")))
    assert "not a directory" in one_line(run("--files-dir", str(tmp_path / "f")))
    assert NOT_A_TERMINAL in one_line(run("--files-dir", str(tmp_path)))


@pytest.mark.parametrize("folder", ["/", "/proc", "/sys", "/dev", "/etc", "/usr",
                                    "/usr/share", "/bin", "/boot", "/run", "/proc/self"])
def test_system_folders_are_refused_as_files_dir(folder: str) -> None:
    """Files a user types land in --files-dir: never in the system's own folders."""
    if not os.path.isdir(folder):
        pytest.skip(f"no {folder} here")
    with pytest.raises(UsageError, match="a system folder"):
        setup_of(["--files-dir", folder])


def test_a_symlink_to_a_system_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").symlink_to("/etc")
    line = one_line(run("--files-dir", str(tmp_path / "notes")))
    assert line.endswith(f"--files-dir {tmp_path / 'notes'}: leads to /etc, a system folder; "
                         "give a folder of your own (mkdir ~/backprop-files)")
    assert "system folder" in one_line(run("--files-dir", "/"))
    assert "system folder" in one_line(run(cwd=Path("/")))  # the default, '.', in /


def test_serve_refuses_system_folders_and_gives_each_server_a_fresh_one(
        tmp_path: Path, monkeypatch) -> None:
    """Under serve, strangers type the paths: no default to the working directory."""
    pytest.importorskip("textual_serve")
    import tempfile

    from backprop_tui.serve import parse

    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "serve", "--files-dir", "/"],
                          capture_output=True, text=True, timeout=60)
    assert "system folder" in one_line(proc)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args, app_argv, app_args = parse([])
    fresh = Path(app_argv[-1])
    assert app_argv[-2] == "--files-dir" and fresh.parent == tmp_path
    assert fresh.is_dir() and list(fresh.iterdir()) == [] and app_args.files_dir == str(fresh)
    assert args.fresh_files_dir == fresh
    assert Path(parse([])[1][-1]) != fresh  # one per server
    own = tmp_path / "own"
    own.mkdir()
    args, app_argv, _ = parse(["--", "--files-dir", str(own)])
    assert app_argv == ["--files-dir", str(own)] and args.fresh_files_dir is None


def test_screenshot_dir_lies_inside_files_dir(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "out").symlink_to("/")
    monkeypatch.chdir(tmp_path)
    setup = setup_of(["--screenshot-dir", "shots"])
    assert setup.files_dir == tmp_path.resolve()
    assert setup.screenshot_dir == tmp_path.resolve() / "shots"
    assert setup_of([]).screenshot_dir == tmp_path.resolve()  # the default: files-dir itself
    setup = setup_of(["--files-dir", str(tmp_path / "shots")])
    assert setup.screenshot_dir == tmp_path.resolve() / "shots"
    for bad, words in (("..", "'..' is not allowed"), ("/", "outside"),
                       ("out", "symlink leads out"), ("missing", "not a directory")):
        with pytest.raises(UsageError, match=words):
            setup_of(["--screenshot-dir", bad])
    line = one_line(run("--screenshot-dir", "/", cwd=tmp_path))
    assert "--screenshot-dir" in line and "inside --files-dir" in line


def test_keymap_reaches_the_app_and_mistakes_stop_it(tmp_path: Path, monkeypatch) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[keys]\nstep_forward = "j"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert setup_of(["--keymap", str(good)]).keymap == {"step_forward": "j"}
    assert setup_of([]).keymap == {}  # no default file: no keymap
    bad = tmp_path / "bad.toml"
    bad.write_text('[keys]\nstep_forwrd = "j"\n')
    line = one_line(run("--keymap", str(bad)))
    assert "unknown binding id 'step_forwrd'" in line and "did you mean 'step_forward'" in line


def test_the_default_keymap_is_read_from_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "backprop-tui"
    folder.mkdir()
    (folder / "keymap.toml").write_text('[keys]\nreset = "n"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    line = one_line(run(env=env))
    assert str(folder / "keymap.toml") in line and "'n' would do two things" in line
    (folder / "keymap.toml").write_text('[keys]\nreset = "ctrl+r"\n')
    assert NOT_A_TERMINAL in one_line(run(env=env))


def test_a_deeply_nested_keymap_is_one_line_in_the_app_and_serve(tmp_path: Path) -> None:
    deep = "[keys]\nx = " + "{b=" * 5000  # tomllib recursed past the limit
    (tmp_path / "deep.toml").write_text(deep)
    assert "nested too deeply" in one_line(run("--keymap", str(tmp_path / "deep.toml")))
    folder = tmp_path / "backprop-tui"
    folder.mkdir()
    (folder / "keymap.toml").write_text(deep)
    env = {"XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    line = one_line(run(env=env))
    assert str(folder / "keymap.toml") in line and "nested too deeply" in line
    assert "nested too deeply" in one_line(run("serve", "--port", "1", env=env))


@pytest.mark.parametrize(("option", "words"), [
    ("--load", "--load: the path is empty; give a saved session file"),
    ("--keymap", "--keymap: the path is empty; give a TOML file"),
    ("--files-dir", "--files-dir: the path is empty; give a folder"),
])
def test_an_empty_path_is_said_to_be_empty(option: str, words: str) -> None:
    """'' was silently ignored (--load), or read as '.' (--keymap: '.: not a regular file';
    --files-dir: this folder)."""
    assert one_line(run(option, "")).endswith(words)


def test_load_resumes_the_saved_session(tmp_path: Path) -> None:
    data = DataOptions("iris", normalize=True)
    session = build_session(data, TrainConfig(hidden=3, shuffle=True))
    session.goto(321, 6)
    state = state_of(session, data, breakpoints=(SavedBreakpoint("L < 0.01"),), watches=("L",))
    path = save(tmp_path / "s.json", state)
    setup = setup_of(["--load", str(path), "--max-rows", "1000"])
    assert setup.state == state and setup.session.cursor == session.cursor
    assert setup.data.source == "iris" and setup.data.limits.max_rows == 1000
    for name, value in session.values.items():
        assert np.array_equal(setup.session.values[name], value)
    assert NOT_A_TERMINAL in one_line(run("--load", str(path)))


def test_load_refuses_data_and_training_options_and_bad_files(tmp_path: Path) -> None:
    data = DataOptions()
    path = save(tmp_path / "s.json", state_of(build_session(data, TrainConfig()), data))
    line = one_line(run("--load", str(path), "--hidden", "2", "--dataset", "lab"))
    assert "--load takes the data and training options from the file" in line
    assert "--hidden" in line and "--dataset" in line
    assert run_options_given(["--load", "x", "--max-memory", "100", "--theme", "nord"]) == []
    assert run_options_given(["--shuffle", "--lr=0.1", "--epo", "3"]) == [
        "--shuffle", "--lr", "--epochs"]
    doc = json.loads(path.read_text())
    doc["format_version"] = 99
    (tmp_path / "v99.json").write_text(json.dumps(doc))
    assert "format version 99" in one_line(run("--load", str(tmp_path / "v99.json")))
    (tmp_path / "cut.json").write_text(path.read_text()[:50])
    assert "truncated" in one_line(run("--load", str(tmp_path / "cut.json")))
    assert "file not found" in one_line(run("--load", str(tmp_path / "nope.json")))


def test_load_of_a_million_watches_is_one_line(tmp_path: Path) -> None:
    data = DataOptions()
    path = save(tmp_path / "s.json", state_of(build_session(data, TrainConfig()), data))
    doc = json.loads(path.read_text())
    doc["watches"] = ["L"] * 1_000_000
    path.write_text(json.dumps(doc))
    line = one_line(run("--load", str(path)))
    assert line.endswith(f"{path}: 1,000,000 watches; a session holds at most 16")


def test_load_of_changed_data_is_one_line(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,t\n" + "".join(f"{i / 10},{i % 3 / 3}\n" for i in range(10)))
    data = DataOptions(str(csv))
    path = save(tmp_path / "s.json", state_of(build_session(data, TrainConfig()), data))
    csv.write_text(csv.read_text().replace("0.5", "0.55"))
    line = one_line(run("--load", str(path)))
    assert str(path) in line and "the data changed since it was saved" in line


def test_serve_files_dir_is_checked_and_passed_to_each_tab(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    from backprop_tui.serve import parse

    _, app_argv, app_args = parse(["--files-dir", str(tmp_path)])
    assert app_argv[-2:] == ["--files-dir", str(tmp_path.resolve())]
    assert app_args.files_dir == str(tmp_path.resolve())
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "serve", "--files-dir",
                           str(tmp_path / "nope")], capture_output=True, text=True, timeout=60)
    assert "no such directory" in one_line(proc)
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "serve", "--files-dir",
                           str(tmp_path), "--", "--files-dir", "."], capture_output=True,
                          text=True, timeout=60)
    assert "given twice" in one_line(proc)
    bad = tmp_path / "k.toml"
    bad.write_text("[keys]\nquit = 'q,q'\n")
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "serve", "--port", "1",
                           "--", "--keymap", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert "lists a key twice" in one_line(proc)
