"""The package is layered: no module imports one above it, counting imports made inside
functions and for type checking, so the data flows one way (load → … → render → api → cli)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "policybrief"
# The faces of the library, which nothing below them may import.
FACES = {
    "api": {"cli", "interactive", "watching", "testing", "serving", "mcp_tools"},
    "cli": {"__main__"},
}


def imports() -> dict[str, set[str]]:
    """Each module of the package → the modules of the package it imports, anywhere in it."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "policybrief" and len(parts) > 1:
                    found.add(parts[1])
            elif isinstance(node, ast.Import):
                found |= {
                    alias.name.split(".")[1]
                    for alias in node.names
                    if alias.name.startswith("policybrief.")
                }
        graph[path.stem] = found - {path.stem}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] when the modules can be ordered in layers."""
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> list[str]:
        if state.get(module) == 1:
            return [*path[path.index(module) :], module]
        if state.get(module) == 2:
            return []
        state[module] = 1
        for dependency in sorted(graph.get(module, ())):
            if found := visit(dependency, [*path, module]):
                return found
        state[module] = 2
        return []

    for module in sorted(graph):
        if found := visit(module, []):
            return found
    return []


def test_no_module_imports_one_above_it() -> None:
    assert cycle(imports()) == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_only_the_faces_import_the_library_face_and_the_cli() -> None:
    graph = imports()
    for face, allowed in FACES.items():
        importers = {module for module, found in graph.items() if face in found}
        assert importers <= allowed, f"{sorted(importers - allowed)} import {face}"
