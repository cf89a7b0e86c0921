"""The contract for people outside Python, derived from the pandera models so it cannot drift:
Frictionless Table Schema fields and the README's column tables.
"""

from __future__ import annotations

from typing import Any


def column_type(dtype) -> str:
    """The Table Schema type of a pandera dtype: string, date, boolean or integer.

    The one type system: Parquet (pipeline.write.ARROW_TYPES), the CSV readers and
    datapackage.json all read a column's type from its annotation in the model.
    """
    text = str(dtype)
    for prefix, kind in (("str", "string"), ("date", "date"), ("bool", "boolean"),
                         ("int", "integer")):
        if text.startswith(prefix):
            return kind
    raise TypeError(f"no Table Schema type for the pandera dtype {text!r}")


def types(model) -> dict[str, str]:
    """Every column of a model and its Table Schema type, in the model's order."""
    return {name: column_type(c.dtype) for name, c in model.to_schema().columns.items()}


def columns(model) -> list[dict[str, Any]]:
    """name, type, description, example and constraints of every column of a model."""
    schema = model.to_schema()
    described = []
    for name, column in schema.columns.items():
        meta = column.metadata or {}
        constraints: dict[str, Any] = {"required": not column.nullable}
        if column.unique:
            constraints["unique"] = True
        for check in column.checks:
            stats = check.statistics or {}
            if check.name == "isin" and "allowed_values" in stats:
                constraints["enum"] = sorted(stats["allowed_values"])
            elif check.name == "str_matches" and "pattern" in stats:
                constraints["pattern"] = str(stats["pattern"]).removeprefix("^").removesuffix("$")
        described.append({
            "name": name,
            "type": column_type(column.dtype),
            "description": column.description or "",
            "example": meta.get("example", ""),
            "constraints": constraints,
        })
    return described


def table_schema(model, primary_key: str | list[str] | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema for the model."""
    fields = []
    for col in columns(model):
        field = {k: col[k] for k in ("name", "type", "description")}
        field["example"] = col["example"]
        field["constraints"] = col["constraints"]
        if col["type"] == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


def markdown_table(model) -> str:
    """The README's column table: name, type, nullable, meaning, example."""
    lines = ["| column | type | empty allowed | meaning | example |", "|---|---|---|---|---|"]
    for col in columns(model):
        nullable = "no" if col["constraints"]["required"] else "yes"
        lines.append(
            f"| `{col['name']}` | {col['type']} | {nullable} | {col['description']} "
            f"| `{col['example']}` |"
        )
    return "\n".join(lines)


def _models() -> dict[str, Any]:
    """Every table model that has a column table in the README, by its marker name."""
    from schemas.diff import DiffModel
    from schemas.history import EventsModel, HistoryModel
    from schemas.partners import PartnersModel

    return {"partners": PartnersModel, "diff": DiffModel, "history": HistoryModel,
            "events": EventsModel}


def update_readme(readme_text: str) -> str:
    """The README with every `<!-- columns:NAME -->` block regenerated from the models."""
    import re

    for marker, model in _models().items():
        block = re.compile(rf"(<!-- columns:{marker} -->\n).*?(<!-- /columns:{marker} -->)", re.S)
        table = markdown_table(model)
        readme_text = block.sub(lambda m, t=table: f"{m.group(1)}{t}\n{m.group(2)}", readme_text)
    return readme_text


if __name__ == "__main__":  # python -m schemas.describe --readme
    import sys
    from pathlib import Path

    if sys.argv[1:] != ["--readme"]:
        sys.exit("usage: python -m schemas.describe --readme")
    readme = Path(__file__).resolve().parent.parent / "README.md"
    readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
