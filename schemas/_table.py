"""The base of every table model: strict (no column outside the contract) and ordered, and
the column types the models annotate their columns with."""

from __future__ import annotations

import numpy as np
import pandera.pandas as pa
from pandera import dtypes
from pandera.engines import pandas_engine


class Table(pa.DataFrameModel):
    """A table written to out/: exactly the model's columns, in the model's order."""

    class Config:
        strict = True
        ordered = True


def _whole_column(result):
    """A column's type check settled for the whole column when every cell passes.

    pandera's string and date types, given the column, check each cell and answer with one
    boolean per cell; pandera then builds a failure report, empty when all pass, and formats
    it into a message (about 1 ms a column, a third of validating a page). When every cell
    passes, the answer is simply True and none of that is built; a failing cell is
    reported as before.
    """
    if isinstance(result, bool) or not bool(np.all(result)):
        return result
    return True


@pandas_engine.Engine.register_dtype
@dtypes.immutable(init=True)
class Text(pandas_engine.STRING):
    """A text column: pandas' string type stored in Arrow, as ``Series[str]`` declares it."""

    storage: str | None = "pyarrow"

    def check(self, pandera_dtype, data_container=None):
        return _whole_column(super().check(pandera_dtype, data_container))


@pandas_engine.Engine.register_dtype
@dtypes.immutable(init=True)
class Day(pandas_engine.Date):
    """A date column: ``datetime.date`` values (nulls where the column allows them)."""

    def check(self, pandera_dtype, data_container=None):
        return _whole_column(super().check(pandera_dtype, data_container))
