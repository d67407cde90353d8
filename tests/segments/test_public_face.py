"""Code outside bitrix_app.segments and bitrix_app.portals imports them through their public faces only, and the
segments sub-packages depend one way (figures <- kinds <- engine <- crm and the use cases at the top)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "bitrix_app", "handlers", "placement_ui", "webedge", "bench", "tests")
SEGMENTS = "bitrix_app.segments"
PORTALS = "bitrix_app.portals"
PUBLIC = {
    SEGMENTS: {SEGMENTS, f"{SEGMENTS}.engine", f"{SEGMENTS}.kinds", f"{SEGMENTS}.crm", f"{SEGMENTS}.figures"},
    PORTALS: {PORTALS},
}
# The segments' own tests are white-box: they test (and monkeypatch) the modules inside.
INSIDERS = {SEGMENTS: ("bitrix_app/segments/", "tests/segments/", "tests/segments_kinds/", "tests/segments_crm/"),
            PORTALS: ("bitrix_app/portals/", "tests/portals/")}
LAYERS = {"figures": set(), "kinds": {"figures", "settings"}, "engine": {"figures", "kinds", "settings"},
          "crm": {"figures", "kinds", "engine", "settings"}}


def _sources():
    for entry in SOURCES:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def _imports(path: Path):
    """(line, module, imported names or None) of every absolute import in the file, lazy ones included."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _violations(package: str) -> list[str]:
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(INSIDERS[package]):
            continue
        for line, module, names in _imports(path):
            if module == "bitrix_app" and names and package.rpartition(".")[2] in names:
                continue  # `from bitrix_app import segments`: the face itself
            if module != package and not module.startswith(package + "."):
                continue
            if module not in PUBLIC[package]:
                found.append(f"{rel}:{line} imports {module}")
                continue
            for name in names or ():
                dotted = f"{module}.{name}"
                if _is_module(dotted) and dotted not in PUBLIC[package]:
                    found.append(f"{rel}:{line} imports the module {dotted}")
    return found


@pytest.mark.parametrize("package", [SEGMENTS, PORTALS])
def test_outsiders_import_only_the_public_face(package):
    assert _violations(package) == []


def test_the_scan_sees_a_reach_inside(tmp_path, monkeypatch):
    probe = ROOT / "bench" / "_face_probe.py"
    monkeypatch.setattr(f"{__name__}.SOURCES", ("bench/_face_probe.py",))
    probe.write_text("def f():\n    from bitrix_app.segments.engine.core import rebuild\n"
                     "    from bitrix_app.segments import settings\n    from bitrix_app.portals.verify import x\n"
                     "    from bitrix_app.portals import CallbackRejected, repository\n")
    try:
        assert _violations(SEGMENTS) == ["bench/_face_probe.py:2 imports bitrix_app.segments.engine.core",
                                         "bench/_face_probe.py:3 imports the module bitrix_app.segments.settings"]
        assert _violations(PORTALS) == ["bench/_face_probe.py:4 imports bitrix_app.portals.verify",
                                        "bench/_face_probe.py:5 imports the module bitrix_app.portals.repository"]
    finally:
        probe.unlink()


def _segment_layer(path: Path) -> str:
    parts = path.relative_to(ROOT / "bitrix_app" / "segments").parts
    return parts[0] if len(parts) > 1 else path.stem


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_segments_sub_packages_depend_one_way(layer):
    """A sub-package imports only the layers below it: relative imports resolved against the package."""
    wrong = []
    for path in sorted((ROOT / "bitrix_app" / "segments" / layer).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        here = ["bitrix_app", "segments", layer]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            names = [target + "." + a.name for a in node.names] if not node.module else [target]
            for dotted in names:
                parts = dotted.split(".")
                if parts[:2] != ["bitrix_app", "segments"] or len(parts) < 3:
                    continue
                if parts[2] != layer and parts[2] not in LAYERS[layer]:
                    wrong.append(f"{rel}:{node.lineno} imports {dotted}")
    assert wrong == []


def test_public_names_and_dotted_paths_resolve():
    face = importlib.import_module(SEGMENTS)
    assert all(hasattr(face, name) for name in face.__all__)
    from bitrix_app.jobs.registry import all_jobs
    from bitrix_app.segments.kinds.contract import KINDS

    for dotted in [path for path in all_jobs() if path.startswith(SEGMENTS + ".")]:
        module, _, attr = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr)), dotted
    for kind, module in KINDS.items():
        assert hasattr(importlib.import_module(module), "predicate"), kind


def test_every_portal_face_name_resolves_to_its_module_attribute():
    """Each face name is the named attribute of its module, and none is a module's own name (once a module is
    imported, the package's attribute of that name is the module, whatever the face says)."""
    face = importlib.import_module(PORTALS)
    modules = {path.stem for path in (ROOT / "bitrix_app" / "portals").glob("*.py")} - {"__init__"}
    assert set(face._FACE) <= modules
    assert not set(face.__all__) & modules
    for name in face.__all__:
        module, attr = face._HOME[name]
        assert getattr(face, name) is getattr(importlib.import_module(f"{PORTALS}.{module}"), attr), name
    with pytest.raises(AttributeError):
        face.no_such_name  # noqa: B018


def test_the_portal_face_holds_only_names_outsiders_import():
    face = importlib.import_module(PORTALS)
    imported = {name for path in _sources() if not path.relative_to(ROOT).as_posix().startswith(INSIDERS[PORTALS])
                for _, module, names in _imports(path) if module == PORTALS for name in names or ()}
    assert set(face.__all__) - imported == set()
