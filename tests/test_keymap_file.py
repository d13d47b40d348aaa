"""Keymap files: the format, key names, clashes, partners and hostile files, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_tui.app.keymap import (
    MAX_BYTES,
    KeymapError,
    default_path,
    load_keymap,
    parse_keymap,
)
from backprop_tui.app.keys import APP_BINDINGS


def keys(text: str) -> dict[str, str]:
    return parse_keymap("[keys]\n" + text, "k.toml")


def refused(text: str, raw: bool = False) -> str:
    with pytest.raises(KeymapError) as err:
        parse_keymap(text if raw else "[keys]\n" + text, "k.toml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("k.toml: ")
    return message


def test_key_names_are_normalised_as_textual_spells_them() -> None:
    assert keys('help = "?"') == {"help": "question_mark"}
    assert keys('reset = "ctrl+z, f5 ,comma"') == {"reset": "ctrl+z,f5,comma"}
    assert keys('step_forward = "j,down2"'.replace("down2", "J")) == {"step_forward": "j,J"}
    assert keys('gradcheck = "alt+shift+g"') == {"gradcheck": "alt+shift+g"}
    assert parse_keymap("", "k") == {} and parse_keymap("[keys]\n", "k") == {}


def test_every_declared_id_can_be_moved() -> None:
    for i, b in enumerate(APP_BINDINGS):
        if b.id in ("pause", "ask_off"):
            continue
        got = keys(f'{b.id} = "f{i % 24 + 1}"')
        assert got[b.id] == f"f{i % 24 + 1}"


def test_partners_move_together_or_apart_on_purpose() -> None:
    assert keys('autoplay = "s"') == {"autoplay": "s", "pause": "s"}
    assert keys('ask_off = "k"') == {"ask_off": "k", "ask_on": "k"}
    assert keys('autoplay = "s"\npause = "space"') == {"autoplay": "s", "pause": "space"}
    assert keys('step_forward = "p"\nstep_back = "n"') == {"step_forward": "p",
                                                          "step_back": "n"}  # a swap


@pytest.mark.parametrize(("text", "words"), [
    ('step_forwad = "j"', "unknown binding id 'step_forwad' (did you mean 'step_forward'?)"),
    ('reset = "n"', "'n' would do two things: reset and step_forward (its default key)"),
    ('reset = "j"\nhelp = "j"', "'j' would do two things"),
    ('reset = "space"', "'space' would do two things"),
    ('reset = "ctrl+p"', "kept for the command palette"),
    ('reset = "down"', "kept for scrolling"),
    ('reset = "pgup"', "not a key name Textual knows (did you mean 'pageup'?)"),
    ('reset = "ctr+x"', "is not a key: modifiers are"),
    ('reset = "ctrl+ctrl+x"', "is not a key"),
    ('reset = "ctrl+"', "is not a key"),
    ('reset = "x,"', "is not a key"),
    ('reset = "x,x"', "lists a key twice"),
    ('reset = ""', "must be a key in quotes"),
    ("reset = 5", "must be a key in quotes"),
    ('reset = ["x"]', "must be a key in quotes"),
    ('reset = "\\u0007"', "is not a key"),
    ('reset = "é"', ""),  # a printable letter is a key
])
def test_mistakes_are_one_line(text: str, words: str) -> None:
    if not words:
        assert keys(text)["reset"] == "é"
        return
    assert words in refused(text)


@pytest.mark.parametrize(("text", "words"), [
    ("[keys\n", "not valid TOML"),
    ('keys = "x"', "'keys' must be a table"),
    ('[keyz]\nreset = "x"', "unknown entry 'keyz'"),
    ("a = 1", "unknown entry 'a'"),
    ('[keys]\nreset = "x"\nreset = "y"', "not valid TOML"),
])
def test_bad_files_are_one_line(text: str, words: str) -> None:
    assert words in refused(text, raw=True)


def test_files_missing_big_binary_or_not_regular(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert default_path() == tmp_path / "cfg" / "backprop-tui" / "keymap.toml"
    assert load_keymap() == {}  # no default file: nothing to apply
    with pytest.raises(KeymapError, match="file not found"):
        load_keymap(tmp_path / "nope.toml")
    with pytest.raises(KeymapError, match="not a regular file"):
        load_keymap(tmp_path)
    big = tmp_path / "big.toml"
    big.write_text("#" * (MAX_BYTES + 1))
    with pytest.raises(KeymapError, match="byte limit"):
        load_keymap(big)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe[keys]")
    with pytest.raises(KeymapError, match="not UTF-8"):
        load_keymap(binary)
    default = default_path()
    default.parent.mkdir(parents=True)
    default.write_text('[keys]\nquit = "ctrl+x"\n')
    assert load_keymap() == {"quit": "ctrl+x"}
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".config" / "backprop-tui" / "keymap.toml"


DEEP = "x = " + "{b=" * 5000  # under the size limit, nested past Python's recursion limit


def test_deeply_nested_toml_is_one_line(tmp_path: Path, monkeypatch) -> None:
    """tomllib recurses once per level: a RecursionError and 3,000 lines of traceback."""
    assert len(DEEP) < MAX_BYTES
    assert "nested too deeply" in refused(DEEP, raw=True)
    deep = tmp_path / "deep.toml"
    deep.write_text("[keys]\n" + DEEP)
    with pytest.raises(KeymapError, match=r"deep\.toml: not valid TOML: nested too deeply"):
        load_keymap(deep)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    default_path().parent.mkdir(parents=True)
    default_path().write_text(DEEP)
    with pytest.raises(KeymapError, match="keymap.toml: not valid TOML: nested too deeply"):
        load_keymap()
