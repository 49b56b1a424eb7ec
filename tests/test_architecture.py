"""The house's rules, checked from the source: the import graph has no cycles, arrows point one way,
no module uses another module's underscore names, and no module grows past ~700 lines.

The graph is built with ast from every module under xlreports/ (imports inside functions included),
so a lazy import counts the same as a top-level one.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xlreports"
MAX_LINES = 700

#: Layers that must not import the layers listed: the pure core never reaches the boundary.
FORBIDDEN = {
    "xlreports.model": ("xlreports.engine", "xlreports.rules", "xlreports.kinds", "xlreports.layout",
                        "xlreports.excel", "xlreports.jobs", "xlreports.addin", "xlreports.cli"),
    "xlreports.engine": ("xlreports.rules", "xlreports.layout", "xlreports.excel", "xlreports.jobs",
                         "xlreports.addin", "xlreports.cli"),
    "xlreports.kinds": ("xlreports.rules", "xlreports.layout", "xlreports.excel", "xlreports.jobs",
                        "xlreports.addin", "xlreports.cli"),
    "xlreports.rules": ("xlreports.layout", "xlreports.excel", "xlreports.jobs", "xlreports.addin",
                        "xlreports.cli"),
    "xlreports.layout": ("xlreports.excel", "xlreports.jobs", "xlreports.addin", "xlreports.cli"),
    "xlreports.excel.read": ("xlreports.excel.write", "xlreports.layout", "xlreports.jobs",
                             "xlreports.addin", "xlreports.cli"),
    "xlreports.excel.write": ("xlreports.excel.read", "xlreports.jobs", "xlreports.addin", "xlreports.cli",
                              "xlreports.engine", "xlreports.rules"),
    "xlreports.jobs": ("xlreports.addin", "xlreports.cli"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:  # `from pkg import module`
                    found.append((sub, [], node.lineno))
                else:
                    found.append((base, [alias.name], node.lineno))
    return found


def attribute_uses(path: Path, aliases: dict[str, str]) -> list[tuple[str, str, int]]:
    """`module._private` attribute uses, for names bound to our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            if node.attr.startswith("_") and not node.attr.startswith("__"):
                out.append((aliases[node.value.id], node.attr, node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        edges[name] = {m for m, _, _ in imports_of(name, path, known) if m in known and m != name}
    return edges


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            # a package's __init__ importing its own children is not a cycle of modules
            if state.get(nxt) == 1 and not (node == nxt.rpartition(".")[0] or nxt == node.rpartition(".")[0]):
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_arrows_point_one_way():
    bad = []
    for name, targets in graph().items():
        for layer, banned in FORBIDDEN.items():
            if name == layer or name.startswith(layer + "."):
                bad += [f"{name} imports {t}" for t in targets if any(t == b or t.startswith(b + ".") for b in banned)]
    assert not bad, "\n".join(sorted(bad))


def test_no_module_uses_another_modules_underscore_names():
    mods = modules()
    known = set(mods)
    bad = []
    for name, path in mods.items():
        aliases: dict[str, str] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("xlreports"):
                        aliases[a.asname or a.name.split(".")[0]] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xlreports"):
                for a in node.names:
                    if f"{node.module}.{a.name}" in known:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for target, taken, line in imports_of(name, path, known):
            if target.startswith("xlreports") and target != name:
                bad += [f"{path.relative_to(ROOT)}:{line} takes {target}.{t}" for t in taken
                        if t.startswith("_") and not t.startswith("__")]
        bad += [f"{path.relative_to(ROOT)}:{line} uses {mod}.{attr}"
                for mod, attr, line in attribute_uses(path, aliases) if mod != name]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (keep modules under {MAX_LINES})"


def test_the_checker_sees_a_cycle_and_a_private_import(tmp_path):
    """The rules above can fail: a tiny fake package with a cycle and a private import is caught."""
    pkg = tmp_path / "xlreports"
    (pkg / "engine").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "engine" / "__init__.py").write_text("")
    (pkg / "engine" / "a.py").write_text("from xlreports.engine.b import _hidden\n")
    (pkg / "engine" / "b.py").write_text("from xlreports.engine import a\nfrom xlreports.layout import x\n_hidden = 1\n")
    (pkg / "layout").mkdir()
    (pkg / "layout" / "__init__.py").write_text("")
    (pkg / "layout" / "x.py").write_text("")
    globals_ = globals()
    old = globals_["ROOT"], globals_["PACKAGE"]
    globals_["ROOT"], globals_["PACKAGE"] = tmp_path, pkg
    try:
        with pytest.raises(AssertionError, match="cycles"):
            test_no_import_cycles()
        with pytest.raises(AssertionError, match="engine.b imports xlreports.layout.x"):
            test_arrows_point_one_way()
        with pytest.raises(AssertionError, match="_hidden"):
            test_no_module_uses_another_modules_underscore_names()
    finally:
        globals_["ROOT"], globals_["PACKAGE"] = old
