"""The dependency rules: the import-linter contracts in pyproject.toml, and the core importing nothing above it."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ABOVE_THE_CORE = ("app", "handlers", "placement_ui", "webedge")
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _top_level_names(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _names_code(dotted: str, root: Path) -> bool:
    """A dotted string names code in this repository (a job path), not a Bitrix24 method such as `app.info`."""
    top, first = dotted.split(".")[:2]
    if (root / top).is_dir():
        return (root / top / f"{first}.py").is_file() or (root / top / first).is_dir()
    return (root / f"{top}.py").is_file() and first in _top_level_names(root / f"{top}.py")


def imports_above(package: Path, above: tuple[str, ...] = ABOVE_THE_CORE, root: Path = ROOT) -> list[str]:
    """Every import of a module in `above` anywhere in the package, lazy ones inside functions included, and every
    dotted path in a string that names one (job paths are enqueued by name)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
                names = [node.value] if _names_code(node.value, root) else []
            else:
                continue
            found += [f"{where}:{node.lineno} {name}" for name in names if _top(name) in above]
    return found


def test_the_import_contracts_hold():
    run = subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_core_imports_nothing_above_it():
    assert imports_above(ROOT / "bitrix_app") == []


def test_the_check_sees_lazy_imports_and_job_paths(tmp_path):
    package = tmp_path / "core"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "worker.py").write_text(
        '"""Docs may name app.create_app in prose."""\n'
        "import json\n"
        "def perform():\n"
        "    from app import create_app\n"
        "    import handlers.cli\n"
        "    return 'webedge.errors.register', 'app.info', 'bitrix_app.sync.drain.run', json\n"
    )
    assert imports_above(package) == [
        "core/worker.py:4 app", "core/worker.py:5 handlers.cli", "core/worker.py:6 webedge.errors.register",
    ]
