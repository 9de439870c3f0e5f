"""The package tree is the architecture: a module never imports a layer above its own.

Layers, lowest first (DESIGN.md, section 2): the foundations (backend, I/O, checks,
errors); problems and the SymPy theory beside them; the optimizers' rules; the run
engine; the analysis (estimators, rate fits, figures); the jobs (verification,
reproduction, sweeps, the PyTorch side); the command line.  Every import of every
module, at module level or inside a function, is read from the source.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "gsmooth"

LAYERS = {
    "_backend": 0, "_io": 0, "_checks": 0, "_exact": 0, "_tables": 0, "errors": 0,
    "problems": 1, "theory": 1,
    "optim": 2,
    "engine": 3,
    "estimate": 4, "rates": 4, "plots": 4,
    "verification": 5, "reproduction": 5, "sweep": 5, "torch": 5,
    "commands": 6, "cli": 6, "results": 6, "__main__": 6, "__init__": 6,
}


def _unit(parts: tuple[str, ...]) -> str:
    """The top-level unit of gsmooth a dotted module path belongs to."""
    return parts[0].removesuffix(".py") if parts else "__init__"


def _imported_units(path: pathlib.Path) -> set[str]:
    units = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "gsmooth":
                names = [f"gsmooth.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "gsmooth" and len(parts) > 1:
                units.add(parts[1])
    return units


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    units = {_unit(path.relative_to(PACKAGE).parts) for path in MODULES}
    assert units <= set(LAYERS), f"modules outside every layer: {sorted(units - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    own = _unit(path.relative_to(PACKAGE).parts)
    above = {unit for unit in _imported_units(path) if LAYERS.get(unit, -1) > LAYERS[own]}
    assert not above, f"{path.relative_to(PACKAGE)} (layer {LAYERS[own]}) imports {sorted(above)}"


def test_the_check_can_fail(tmp_path):
    module = tmp_path / "problems.py"
    module.write_text("def f():\n    from gsmooth.engine import run\n")
    assert _imported_units(module) == {"engine"}
    assert LAYERS["engine"] > LAYERS["problems"]
