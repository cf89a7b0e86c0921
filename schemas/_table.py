"""The base of every table model: strict (no column outside the contract) and ordered."""

from __future__ import annotations

import pandera.pandas as pa


class Table(pa.DataFrameModel):
    """A table written to out/: exactly the model's columns, in the model's order."""

    class Config:
        strict = True
        ordered = True
