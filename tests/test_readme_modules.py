"""The README's module tables ("How it works") list exactly the modules and packages of
pipeline/ and schemas/: a module added, renamed or removed without the README fails here."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _modules(package: str) -> set[str]:
    root = REPO / package
    names = {p.name for p in root.glob("*.py") if p.name != "__init__.py"}
    names |= {f"{p.name}/" for p in root.iterdir()
              if p.is_dir() and (p / "__init__.py").exists()}
    return names


def _listed(heading: str, following: str) -> set[str]:
    """The first-column names of the table after ``following`` in the README's section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    table = section.split(following, 1)[1].split("\n\n", 2)[1]
    first_cells = (line.split("|")[1] for line in table.splitlines()[2:])
    return {name for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}


def test_every_pipeline_module_is_in_the_readme_table():
    assert _listed("How it works", "files touched only at the edges.") == _modules("pipeline")


def test_every_schemas_module_is_in_the_readme_table():
    assert _listed("How it works", "The contract, in `schemas/`:") == _modules("schemas")
