"""The layers hold: each module imports only from the layers below it (as import-linter would check).

Every import statement counts, including those inside functions and under TYPE_CHECKING: a lazy
or types-only import still ties a layer to the one it names. Types cross upward through
Protocols instead (``game.story.model.StateView``).
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT


def _imports() -> dict[str, set[str]]:
    """Every module under game/ and the absolute module names it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "game").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names)
        found[module] = names
    return found


IMPORTS = _imports()


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(importers: str, allowed: tuple[str, ...], checked: str = "game") -> list[str]:
    """``module -> name`` for each import of a ``checked`` module, by a module in ``importers``,
    that is not in one of the ``allowed`` packages."""
    return sorted(f"{module} -> {name}" for module, names in IMPORTS.items() if _inside(module, importers)
                  for name in names if _inside(name, checked) and name != checked
                  and not any(_inside(name, ok) for ok in allowed))


def test_the_content_layer_imports_nothing_above_it() -> None:
    assert violations("game.story", ("game.story", "game.gcpause")) == []


@pytest.mark.parametrize("rules", ["game.engine", "game.render"])
def test_the_rules_import_only_the_content_and_each_other(rules: str) -> None:
    assert violations(rules, ("game.story", "game.engine", "game.render")) == []


def test_only_the_tui_imports_textual() -> None:
    outside = sorted(f"{module} -> {name}" for module, names in IMPORTS.items() if not _inside(module, "game.tui")
                     for name in names if _inside(name, "textual"))
    assert outside == []


def test_the_saves_do_not_import_the_migration() -> None:
    assert [v for v in violations("game.saves", ()) if _inside(v.split(" -> ")[1], "game.migrate")] == []


def test_the_checker_sees_imports_inside_functions() -> None:
    """The rules above are only as good as the import finder; it must see imports in functions."""
    assert "game.story.loader" in IMPORTS["game.story_cache"]
    assert any(_inside(name, "game.story") for name in IMPORTS["game.engine"])
