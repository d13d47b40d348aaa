"""Typed paths stay inside --files-dir: every way out is refused in one line (real symlinks)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backprop_tui.paths import MAX_NAME_BYTES, PathError, inside


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "files" / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return tmp_path / "files"


def test_plain_names_resolve_inside(root: Path) -> None:
    assert inside("save.json", root) == root.resolve() / "save.json"
    assert inside("sub/save.json", root) == root.resolve() / "sub" / "save.json"
    assert inside("./sub/./x", root) == root.resolve() / "sub" / "x"
    assert inside(".", root) == root.resolve()
    assert inside(str(root / "sub" / "a.json"), root) == root.resolve() / "sub" / "a.json"
    assert inside("new/folder/a.json", root) == root.resolve() / "new" / "folder" / "a.json"
    assert inside("~x", root) == root.resolve() / "~x"  # no home expansion: a plain name


def test_symlinks_inside_are_fine(root: Path) -> None:
    (root / "link").symlink_to(root / "sub")
    (root / "flink").symlink_to("sub/target.json")
    assert inside("link/a.json", root) == root.resolve() / "sub" / "a.json"
    assert inside("flink", root) == root.resolve() / "sub" / "target.json"


@pytest.mark.parametrize(("text", "words"), [
    ("", "no file name"),
    ("   ", "no file name"),
    ("a\x00b", "NUL byte"),
    ("a\nb", "control character"),
    ("../x.json", "'..' is not allowed"),
    ("sub/../../x.json", "'..' is not allowed"),
    ("sub/..", "'..' is not allowed"),
    ("/etc/passwd", "outside"),
    ("x" * (MAX_NAME_BYTES + 1), "longer than 255 bytes"),
    ("a/" * 600, "longer than 1024 bytes"),
    ("\u202egnp.json", "U+202E"),  # right-to-left override: shows as "nosj.png"
    ("a\u202ab.json", "U+202A"),
    ("a\u2066b.json", "U+2066"),
    ("a\u2069b.json", "U+2069"),
    ("a\u200eb.json", "U+200E"),
    ("a\u200fb.json", "U+200F"),
    ("a\u061cb.json", "U+061C"),
    ("a\u200bb.json", "U+200B"),  # zero-width space: two names that look alike
    ("a\u0085b.json", "control character"),  # C1 control (next line)
    ("a\u2028b.json", "U+2028"),  # line separator
    ("\ud800.json", "cannot be written as a file name"),  # a lone surrogate
    ("a\udcffb.json", "cannot be written as a file name"),
])
def test_refused_in_one_line(root: Path, text: str, words: str) -> None:
    with pytest.raises(PathError) as err:
        inside(text, root)
    message = str(err.value)
    assert words in message and "\n" not in message and len(message) < 300


def test_symlinked_file_leading_out_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "evil.json").symlink_to(tmp_path / "outside" / "victim.json")  # dangling, too
    with pytest.raises(PathError, match="symlink leads out"):
        inside("evil.json", root)


def test_symlinked_parent_leading_out_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "sub" / "door").symlink_to(tmp_path / "outside")
    with pytest.raises(PathError, match="symlink leads out"):
        inside("sub/door/x.json", root)
    (root / "up").symlink_to("..")
    with pytest.raises(PathError, match="symlink leads out"):
        inside("up/outside/x", root)


def test_absolute_path_through_a_symlink_out_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "door").symlink_to(tmp_path / "outside")
    with pytest.raises(PathError, match="symlink leads out"):
        inside(str(root / "door" / "x.json"), root)


def test_a_root_that_is_itself_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    alias = tmp_path / "alias"
    alias.symlink_to(real)
    assert inside("a.json", alias) == real / "a.json"
    assert inside(str(alias / "a.json"), alias) == real / "a.json"
    with pytest.raises(PathError, match="outside"):
        inside(str(tmp_path / "a.json"), alias)


def test_a_loop_of_symlinks_is_refused_or_stays_inside(root: Path) -> None:
    (root / "loop").symlink_to("loop")
    try:
        got = inside("loop/x", root)
    except PathError:
        return
    assert root.resolve() in got.parents
    assert os.path.commonpath([got, root.resolve()]) == str(root.resolve())


def test_refused_characters_are_named_not_printed(root: Path) -> None:
    """The message names the character by its code point: printing U+202E would turn the
    rest of the line around, in the status line and the terminal."""
    with pytest.raises(PathError) as err:
        inside("\u202egnp.json", root)
    message = str(err.value)
    assert "\u202e" not in message and "U+202E" in message
    assert "right-to-left" in message.lower() or "invisible" in message


def test_letters_of_every_script_are_fine(root: Path) -> None:
    for name in ("données.json", "ملف.json", "файл.json", "数据.json", "नमस्ते.json",
                 "zwnj\u200cfa.json"):
        assert inside(name, root) == root.resolve() / name
