"""The package's layers import only downward; this test is the rule's enforcement.

util < formats < screening, evidence < assessment < render < cli. Every
``import`` of a provenance_cli module, at module level or inside a
function, is read from the source with :mod:`ast`, so a lazy import cannot
hide an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "provenance_cli"

LAYERS = {
    "util": 0,
    "formats": 1,
    "screening": 2,
    "evidence": 2,
    "assessment": 3,
    "render": 4,
    "cli": 5,
}
"""Layer rank of each sub-package; a module may import only from ranks at or below its own."""

SIBLINGS_APART = {("screening", "evidence"), ("evidence", "screening")}
"""Same rank, but independent of each other: neither may import the other."""


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "provenance_cli" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from provenance_cli import cli` names a package, not an attribute.
            if node.module == "provenance_cli":
                found.extend((node.lineno, f"provenance_cli.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def upward_imports(package: Path) -> list[str]:
    """Every import that reaches a higher layer (or a sibling kept apart), as file:line: message."""
    violations: list[str] = []
    for path in sorted(package.rglob("*.py")):
        own = _layer_of("provenance_cli." + ".".join(path.relative_to(package).with_suffix("").parts))
        if own is None:
            continue
        for line, module in _imports(path):
            target = _layer_of(module)
            if target is None or target == own:
                continue
            if LAYERS[target] > LAYERS[own] or (own, target) in SIBLINGS_APART:
                violations.append(f"{path.relative_to(package.parent)}:{line}: {own} imports {module} ({target} is above it)")
    return violations


def test_no_module_imports_a_higher_layer() -> None:
    assert upward_imports(PACKAGE) == []


def test_every_subpackage_has_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"give {sorted(packages - set(LAYERS))} a rank in LAYERS"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The rule can fail: a formats module importing the CLI, even lazily, is reported with its line."""
    fake = tmp_path / "provenance_cli"
    (fake / "formats").mkdir(parents=True)
    (fake / "formats" / "__init__.py").write_text("")
    (fake / "formats" / "bad.py").write_text("def f():\n    from provenance_cli.cli import terminal\n    return terminal\n")
    assert upward_imports(fake) == ["provenance_cli/formats/bad.py:2: formats imports provenance_cli.cli (cli is above it)"]


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_folder_exists(layer: str) -> None:
    assert (PACKAGE / layer / "__init__.py").is_file()
