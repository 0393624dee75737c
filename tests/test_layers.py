"""The house drawn from its imports: data flows one way, and no module imports one above it.

Every ``import`` and ``from ... import`` in the package is read from the source (those inside
functions too), so a cycle hidden behind a function-level import fails here as well.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "regviz_anim"

# Lowest first. A module may import its own layer's modules and those below, never above.
LAYERS = [
    ("records", {"version", "errors", "formatting", "lang", "presets", "interrupts", "children"}),
    ("numerics", {"numerics"}),
    ("scene data", {"scenedata", "panels", "style"}),
    ("options", {"options"}),
    ("pixels and files", {"canvas", "counter", "layout", "scene", "drawing", "encoders", "outputs", "export"}),
    ("render", {"targets", "sidecar", "renderer"}),
    ("runners", {"batch"}),
    ("front ends", {"cli", "api", "notebook", "__init__", "__main__"}),
]
FRONT_ENDS = {"cli", "api", "notebook"}
LAYER = {part: i for i, (_, parts) in enumerate(LAYERS) for part in parts}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports (resolved to the module, not the name in it)."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t.split(".")[0] == "regviz_anim" and t in known and t != name}
    return found


def part(name: str) -> str:
    pieces = name.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


GRAPH = {name: imports(name, path) for name, path in modules().items()}


def test_every_module_has_a_layer():
    assert {part(name) for name in GRAPH} <= set(LAYER), sorted({part(n) for n in GRAPH} - set(LAYER))


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_no_import_against_the_layers(name):
    mine = LAYER[part(name)]
    above = [t for t in GRAPH[name] if LAYER[part(t)] > mine]
    assert not above, f"{name} ({LAYERS[mine][0]}) imports {above} from a layer above it"


def test_front_ends_never_import_one_another():
    for name, targets in GRAPH.items():
        if part(name) in FRONT_ENDS:
            others = {part(t) for t in targets} & FRONT_ENDS - {part(name)}
            assert not others, f"{name} imports the front end(s) {others}"


def test_no_cycles():
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in GRAPH[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in GRAPH:
        if node not in state:
            visit(node, [node])


def third_party(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add((node.module or "").split(".")[0])
    return found


@pytest.mark.parametrize("name", sorted(n for n in GRAPH if part(n) in ("numerics", "scenedata", "panels", "style",
                                                                       "options", "encoders", "export")))
def test_the_core_and_the_encoders_never_import_matplotlib(name):
    assert "matplotlib" not in third_party(modules()[name])


def test_only_the_command_line_knows_tqdm():
    assert [n for n in GRAPH if "tqdm" in third_party(modules()[n])] == ["regviz_anim.cli"]


def test_the_encoders_know_nothing_of_regularization():
    for name, targets in GRAPH.items():
        if part(name) == "encoders":
            assert all(part(t) == "encoders" for t in targets), (name, targets)


def test_the_numerics_import_only_the_numerics_and_the_records():
    for name, targets in GRAPH.items():
        if part(name) == "numerics":
            assert {part(t) for t in targets} <= {"numerics", "errors", "formatting"}, (name, targets)
