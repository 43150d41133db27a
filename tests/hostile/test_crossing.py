"""What crosses between a trainee's kernel and the grader's: the course's kinds of values exactly, nothing else."""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from spmu.crossing import MAX_TEXT, CannotCross, decode, encode

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
VALUES = [
    None,
    True,
    -(2**70),
    2.5,
    float("inf"),
    "naïve \ufffd text",
    b"\x00\xff",
    bytearray(b"ab"),
    [1, [2, (3, "x")]],
    (1,),
    {"a": {1, 2}, 3: frozenset({"b"}), (1, 2): None},
    1 - 2j,
    pathlib.Path("/kernels/tmp/abc.txt"),
    dt.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=AMSTERDAM),
    dt.datetime(2000, 10, 10, 13, 55, 36, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
    dt.datetime(2025, 1, 1),
    dt.date(2024, 2, 29),
    dt.time(23, 59, 1, tzinfo=dt.UTC),
    dt.timedelta(days=-1, seconds=5, microseconds=7),
    np.float64(0.1),
    np.int32(-3),
    np.bool_(True),
    np.datetime64("2024-01-01T00:00:00.123456789", "ns"),
    np.array([[1.5, 2.0], [3.0, 4.0]]),
    np.array(["2024-01-01", "NaT"], dtype="datetime64[s]"),
    pd.Timestamp("2024-03-31 02:30:00.000000001", tz="UTC").tz_convert(AMSTERDAM),
    pd.Timestamp("2024-01-01"),
    pd.Timedelta(seconds=600),
    pd.Index(["a", "b"], name="ip"),
    pd.MultiIndex.from_tuples([("asset", "car"), ("liability", "loan")], names=["category", "item"]),
]


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (
            type(b) is np.ndarray
            and a.dtype == b.dtype
            and a.shape == b.shape
            and bool(((a == b) | (np.isnat(a) & np.isnat(b)) if a.dtype.kind == "M" else (a == b)).all())
        )
    if isinstance(a, pd.Index):
        return type(a) is type(b) and a.equals(b) and a.names == b.names and a.dtype == b.dtype
    if isinstance(a, float) and math.isinf(a):
        return b == a
    return type(a) is type(b) and a == b and getattr(a, "tzinfo", None) == getattr(b, "tzinfo", None)


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_each_kind_crosses_exactly(value):
    back = decode(encode(value))
    assert _same(value, back), (value, back)
    if isinstance(value, dt.datetime):
        assert back.fold == value.fold and back.utcoffset() == value.utcoffset()


def test_nan_and_pandas_missing_values_cross():
    assert math.isnan(decode(encode(float("nan"))))
    assert decode(encode(pd.NaT)) is pd.NaT and decode(encode(pd.NA)) is pd.NA


def test_dataframes_keep_dtypes_index_and_attrs():
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2024-03-05 10:00:01", "2024-12-31 23:02:41"], utc=True),
            "event": ["failed", "accepted"],
            "invalid_user": [False, True],
            "port": [40000, 22],
            "amount": [1.5, float("nan")],
            "objects": [{"a": 1}, None],
            "nullable": pd.array([1, None], dtype="Int64"),
        },
        index=pd.Index(["x", "y"], name="row"),
    )
    frame.attrs["malformed_lines"] = 3
    back = decode(encode(frame))
    assert type(back) is pd.DataFrame and back.equals(frame)
    assert back.dtypes.to_dict() == frame.dtypes.to_dict() and back.attrs == {"malformed_lines": 3}
    assert back.index.name == "row"
    series = frame.set_index("event")["ts"]
    back_series = decode(encode(series))
    assert back_series.equals(series) and back_series.dtype == series.dtype and back_series.name == "ts"


class Anything(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class Yes:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value",
    [Anything("no"), Yes(), [1, Yes()], {"k": object()}, type("Int", (int,), {})(3), lambda: 1, iter([1])],
    ids=["str subclass", "object", "nested object", "object in dict", "int subclass", "function", "iterator"],
)
def test_other_kinds_and_subclasses_do_not_cross(value):
    with pytest.raises(CannotCross):
        encode(value)


def test_size_and_depth_are_capped_both_ways():
    with pytest.raises(CannotCross, match="characters"):
        encode("x" * (MAX_TEXT + 1))
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(CannotCross, match="deep"):
        encode(deep)
    with pytest.raises(CannotCross):
        decode("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CannotCross):
        decode(" " * (MAX_TEXT + 1))


@pytest.mark.parametrize(
    "text",
    [
        '{"$": "pickle", "v": "gASV"}',
        '{"$": "float", "v": "__import__(\'os\')"}',
        '{"$": "np.array", "dtype": "V8", "shape": [1], "v": [0]}',
        '{"$": "datetime", "v": "2024-01-01T00:00:00", "tz": {"zone": "../../etc/passwd"}}',
        '{"$": "pd.Series", "dtype": "no such dtype", "v": [], "index": {"$": "pd.RangeIndex", "v": [0, 0, 1]}}',
        "not json",
        json.dumps({"$": "bytes", "v": "***"}),
    ],
)
def test_forged_descriptions_are_refused_not_run(text):
    with pytest.raises(CannotCross):
        decode(text)
