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
