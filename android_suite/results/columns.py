"""Column builders for loading: database values -> the dtypes RunData promises.

Fast paths matter for samples (a million rows): labels come from integer
keys through numpy, never through per-row Python lookups.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]


def categorical(ids: IntArray, label_of: Mapping[int, str | None]) -> pd.Categorical:
    """Labels for integer keys as a Categorical with sorted categories of the labels present.

    ``ids`` may hold -1 (or any key missing from ``label_of``) for a missing value (NaN).
    Several keys may share a label (one metric name under two units).
    """
    if ids.size == 0:
        return pd.Categorical([], categories=pd.Index([], dtype="str"))
    uniq, inverse = np.unique(ids, return_inverse=True)
    labels = [label_of.get(int(u)) for u in uniq]
    categories = sorted({lab for lab in labels if lab is not None})
    position = {lab: i for i, lab in enumerate(categories)}
    codes_of_uniq = np.asarray([-1 if lab is None else position[lab] for lab in labels], dtype=np.int64)
    return pd.Categorical.from_codes(codes_of_uniq[inverse], categories=pd.Index(categories, dtype="str"))


def strings_as_category(values: Sequence[Any]) -> pd.Categorical:
    """A Categorical of strings (None stays missing)."""
    return pd.Categorical([None if v is None else str(v) for v in values])


def floats(values: Sequence[Any]) -> npt.NDArray[np.float64]:
    """float64, None -> NaN."""
    return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)


def ints(values: Sequence[Any]) -> Any:
    """int64 when every value is there; pandas nullable Int64 (None -> <NA>) otherwise.

    Plain int64 in the common case keeps numpy conversions numeric (an Int64
    column's ``to_numpy()`` is an object array); a missing value still never becomes 0.
    """
    if all(v is not None for v in values):
        return np.asarray(values, dtype=np.int64)
    return pd.array(list(values), dtype="Int64")


def utc_times(epoch_s: Sequence[float | None]) -> pd.DatetimeIndex:
    """UTC datetimes at microsecond resolution from epoch seconds (None -> NaT)."""
    micros = np.round(floats(epoch_s) * 1e6)
    return pd.DatetimeIndex(pd.to_datetime(micros, unit="us", utc=True)).as_unit("us")


def add_extras(frame: pd.DataFrame, extras: Sequence[str]) -> pd.DataFrame:
    """Spread each row's ``extra`` JSON object into columns (absent keys -> NaN/None).

    Contract columns win: an extra key that names one is ignored.
    """
    parsed = [json.loads(e) if e else {} for e in extras]
    names = sorted({k for d in parsed for k in d} - set(frame.columns))
    for name in names:
        frame[name] = pd.Series([d.get(name) for d in parsed], index=frame.index)
    return frame
