"""The layers of bot/ depend one way (issue 13): read from the source, not from a diagram.

Every module of bot/ and wiki_sync/ is parsed (nothing is imported) and each import is
mapped to its package: a subpackage of bot (bot.domain, bot.commands, …), a top-level
module of bot (bot.app, bot.inbound, …), or wiki_sync.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "wiki_sync")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Absolute names of everything `path` imports (`from a import b` gives a.b too, in
    case b is a module)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _modules() -> dict[str, set[str]]:
    """Module name → names it imports, for every module of bot/ and wiki_sync/."""
    return {
        _module_name(path): set(_imports(path))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _layer(name: str) -> str | None:
    """The package a module belongs to: bot.<first part>, or wiki_sync; None if not ours."""
    parts = name.split(".")
    if parts[0] == "wiki_sync":
        return "wiki_sync"
    if parts[0] != "bot":
        return None
    return ".".join(parts[:2]) if len(parts) > 1 else "bot"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = {_layer(m) for m in modules}
    graph: dict[str, set[str]] = {}
    for module, imported in modules.items():
        source = _layer(module)
        assert source is not None
        edges = graph.setdefault(source, set())
        for name in imported:
            target = _layer(name)
            # `from bot import x` names a module bot.x; a bare "bot" is no layer of its own
            if target is not None and target != source and target in known and target != "bot":
                edges.add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that ends where it starts), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            found = visit(target)
            if found:
                return found
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        found = visit(node)
        if found:
            return found
    return None


def _is_stdlib(name: str) -> bool:
    top = name.split(".")[0]
    return top in sys.stdlib_module_names or top == "__future__"


def test_the_graph_sees_the_packages() -> None:
    graph = _graph()
    for layer in ("bot.domain", "bot.storage", "bot.services", "bot.commands", "bot.matrix"):
        assert layer in graph
    assert "bot.domain" in graph["bot.storage"]
    assert "bot.commands" in graph["bot.inbound"]


def test_no_import_cycle_between_packages() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, " → ".join(cycle or ())


def test_services_do_not_import_commands() -> None:
    offenders = {
        module: sorted(n for n in imported if _layer(n) in {"bot.commands", "bot.inbound"})
        for module, imported in _modules().items()
        if _layer(module) == "bot.services"
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_domain_imports_only_the_standard_library_and_messages() -> None:
    allowed = {"bot.domain", "bot.i18n"}
    offenders = {
        module: sorted(n for n in imported if not _is_stdlib(n) and _layer(n) not in allowed)
        for module, imported in _modules().items()
        if _layer(module) == "bot.domain"
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_wiki_sync_knows_nothing_of_the_bot() -> None:
    offenders = {
        module: sorted(n for n in imported if n.split(".")[0] == "bot")
        for module, imported in _modules().items()
        if _layer(module) == "wiki_sync"
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
