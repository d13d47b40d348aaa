"""The code base stays lint-clean and layered: checked by the same command as the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff")
                    .exists(), reason="ruff comes with the test extra: pip install '.[test]'")
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_and_checker_never_import_textual() -> None:
    """The numeric core and the checker work without a terminal library."""
    code = ("import sys, backprop_tui.core.run.training, backprop_tui.core.network.gradcheck, "
            "backprop_tui.check.cli; assert not any(m.startswith('textual') for m in "
            "sys.modules), sorted(m for m in sys.modules if m.startswith('textual'))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_modules_stay_small() -> None:
    """Small modules are a project rule; this names any that grew past it."""
    big = [str(p.relative_to(ROOT)) for p in (ROOT / "backprop_tui").rglob("*.py")
           if len(p.read_text(encoding="utf-8").splitlines()) > 320]
    assert not big, f"modules over 320 lines: {big}"


def test_app_start_up_imports_neither_the_checker_nor_the_compiled_kernel() -> None:
    """The first frame waits for nothing it does not draw: the checker, the gradient
    check and numba load when first asked for."""
    code = ("import sys, backprop_tui.app.app; late = [m for m in sys.modules if "
            "m.startswith(('backprop_tui.check', 'backprop_tui.core.network.gradcheck', "
            "'numba'))]; "
            "assert not late, late")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_app_start_up_leaves_plotext_for_after_the_first_frame() -> None:
    code = ("import sys, backprop_tui.app.app; assert 'plotext' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The package modules ``name`` imports, at the top or inside functions (a lazy import
    is a dependency too), but not under ``if TYPE_CHECKING:``."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] \
                if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules
                          else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return (found & modules) - {name}


def test_no_import_circle_in_the_package() -> None:
    """Layers read one way: no module reaches itself through its imports (lazy ones too)."""
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "backprop_tui").rglob("*.py")}
    graph = {name: _imports(path, name, set(files)) for name, path in files.items()}
    circles = []
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m == start:
                circles.append(start)
                break
            if m not in seen:
                seen.add(m)
                todo.extend(graph[m])
    assert not circles, f"modules that import themselves through others: {sorted(circles)}"


def test_one_class_per_name() -> None:
    """Two classes of one name (the run's Edit and the file's) make a reader guess which."""
    import re
    from collections import Counter

    names = Counter(m for p in (ROOT / "backprop_tui").rglob("*.py")
                    for m in re.findall(r"(?m)^class (\w+)", p.read_text(encoding="utf-8")))
    assert [n for n, k in names.items() if k > 1] == []
