"""The contract for people outside Python: README column tables and datapackage.json."""

from __future__ import annotations

import json
import re

import pytest

from pipeline import config
from schemas.describe import _models, markdown_table

README = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def readme_table(name: str) -> str:
    match = re.search(rf"<!-- columns:{name} -->\n(.*?)\n<!-- /columns:{name} -->", README, re.S)
    assert match, f"README has no generated column table for {name}"
    return match.group(1).strip()


@pytest.mark.parametrize("name", sorted(_models()))
def test_readme_column_table_matches_the_schema(name):
    assert readme_table(name) == markdown_table(_models()[name]), (
        "regenerate with: .venv/bin/python -m schemas.describe --readme")


def test_datapackage_describes_both_files(built_2024):
    package = json.loads((built_2024 / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"] if r["name"].startswith("partners")}
    assert set(resources) == {"partners.csv", "partners.parquet"}  # analyst tables: test_analyst
    for path, resource in resources.items():
        data = (built_2024 / path).read_bytes()
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        if path.endswith(".csv"):
            assert (resource["hash"], resource["bytes"]) == ("sha256:" + digest, len(data))
        else:
            assert (resource["sha256"], resource["size"]) == (digest, len(data))
        assert resource["schema"]["primaryKey"] == "partner_id"
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert fields[0] == "partner_id" and "snapshot_date" in fields


def test_frictionless_validates_the_package(built_2024):
    import frictionless

    report = frictionless.validate(str(built_2024 / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


# --- one contract -----------------------------------------------------------------------------

SCHEMAS = config.PROJECT_ROOT / "schemas"


def field_declarations() -> dict[str, list[str]]:
    """Every column declared with `pa.Field(...)` in schemas/, and where (module.Class)."""
    import ast

    found: dict[str, list[str]] = {}
    for path in sorted(SCHEMAS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if (isinstance(item, ast.AnnAssign) and isinstance(item.value, ast.Call)
                        and ast.unparse(item.value.func) == "pa.Field"):
                    found.setdefault(item.target.id, []).append(f"{path.stem}.{node.name}")
    return found


def test_every_partner_column_is_declared_once():
    from schemas.partners import PartnersModel

    declared = field_declarations()
    for column in PartnersModel.to_schema().columns:
        assert len(declared.get(column, [])) == 1, (column, declared.get(column))


def test_columns_that_share_a_name_share_their_type_and_checks():
    from schemas.describe import _models

    seen: dict[str, tuple] = {}
    partner_columns = set(_models()["partners"].to_schema().columns)
    for model in _models().values():
        for name, column in model.to_schema().columns.items():
            if name not in partner_columns:
                continue
            contract = (str(column.dtype), column.nullable, sorted(str(c) for c in column.checks))
            assert seen.setdefault(name, contract) == contract, (model.__name__, name)


def test_history_inherits_every_partner_rule():
    from schemas.history import HistoryModel
    from schemas.partners import PartnerFields

    history_checks = {c.name for c in HistoryModel.to_schema().checks}
    assert {c.name for c in PartnerFields.to_schema().checks} <= history_checks
    country = HistoryModel.to_schema().columns["country_code"]
    assert any(c.name == "isin" for c in country.checks)  # the ISO list, not a pattern


def test_every_model_check_has_a_registered_id():
    from schemas.checks import CHECKS
    from schemas.describe import _models

    for model in _models().values():
        for check in model.to_schema().checks:
            assert check.name in CHECKS, (model.__name__, check.name)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", check) for check in CHECKS)


def test_types_come_from_the_annotations():
    from schemas.describe import types
    from schemas.history import HistoryModel

    kinds = types(HistoryModel)
    assert (kinds["valid_from"], kinds["under_renewal"], kinds["name"]) == (
        "date", "boolean", "string")


def test_pipeline_constants_come_from_the_schemas():
    from schemas._common import partner_fields, snapshot_columns
    from schemas.partners import PartnersModel

    columns = list(PartnersModel.to_schema().columns)
    assert ["partner_id", *partner_fields(), *snapshot_columns()] == columns


def test_warnings_and_errors_carry_check_ids(built_2024):
    from schemas.checks import CHECKS

    metadata = json.loads((built_2024 / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["warnings"]
    for warning in metadata["warnings"]:
        assert warning["check"] in CHECKS and warning["message"]


def test_what_is_written_is_the_validated_frame(monkeypatch, tmp_path, snapshot_2024):
    """A value changed in the rows after validation does not reach partners.csv."""
    from pipeline import build as build_module
    from pipeline.build import build

    real = build_module.prepare_parsed

    def tampered(*args, **kwargs):
        prepared = real(*args, **kwargs)
        prepared.normalized.rows[0]["name"] = "TAMPERED"
        return prepared

    monkeypatch.setattr(build_module, "prepare_parsed", tampered)
    build(snapshot_2024, out_dir=tmp_path, force=True)
    assert "TAMPERED" not in (tmp_path / "partners.csv").read_text(encoding="utf-8")


def _partners_frame():
    import datetime as dt

    from pipeline.validate import partners_frame

    row = {"partner_id": "TH-1c0e6f2a", "region": "Asia", "country": "Thailand",
           "country_code": "TH", "agreement_type": "I", "agreement_level": "institute",
           "agreement_field": None, "name": "Kasetsart University",
           "institution": "Kasetsart University", "unit": None, "abbreviation": None,
           "name_raw": "Kasetsart University", "initial_date": dt.date(2019, 9, 25),
           "expiration_date": dt.date(2024, 9, 24), "under_renewal": False, "notes": None,
           "snapshot_date": dt.date(2024, 4, 1)}
    return partners_frame([row, {**row, "partner_id": "TH-2d1f7a3b"}])


def test_text_and_date_columns_pass_whole_and_fail_by_cell():
    import pandas as pd
    import pandera.pandas as pa

    from schemas.partners import PartnersModel

    schema = PartnersModel.to_schema()
    frame = _partners_frame()
    schema.validate(frame, lazy=True)  # the whole-column answer: nothing to report
    wrong = frame.copy()
    wrong["initial_date"] = pd.Series([pd.Timestamp("2019-09-25"), "2019-09-25"], dtype=object)
    wrong["institution"] = pd.Series([1, 2], dtype="int64")
    with pytest.raises(pa.errors.SchemaErrors) as failed:
        schema.validate(wrong, lazy=True)
    cases = failed.value.failure_cases
    dtype_cases = cases[cases["check"].str.startswith("dtype(")]
    assert set(dtype_cases["column"]) == {"initial_date", "institution"}
    # a date column names the very cells that are not dates
    dates = dtype_cases[dtype_cases["column"] == "initial_date"]
    assert sorted(dates["index"].dropna().astype(int)) == [0, 1]


def test_text_checks_over_several_columns_name_the_failing_rows():
    import pandera.pandas as pa

    from schemas.partners import PartnersModel

    frame = _partners_frame()
    frame.loc[1, "unit"] = "Faculty of  Science"
    frame.loc[0, "notes"] = "=HYPERLINK()"
    with pytest.raises(pa.errors.SchemaErrors) as failed:
        PartnersModel.validate(frame, lazy=True)
    cases = failed.value.failure_cases
    rows = {check: set(cases[cases["check"] == check]["index"].dropna().astype(int))
            for check in ("names-well-spaced", "no-formula-cells")}
    assert rows == {"names-well-spaced": {1}, "no-formula-cells": {0}}
