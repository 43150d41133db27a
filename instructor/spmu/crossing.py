"""The values that cross between a trainee's kernel and the grader's trusted kernel: typed JSON, never pickle.

:func:`encode` turns a value of the kinds the course uses into JSON text, :func:`decode` builds it again from
plain data (exact built-in, numpy and pandas types, never the sender's own classes; no pickle, no ``eval``).
Anything else, a value nested too deeply or text over :data:`MAX_TEXT` characters raises :class:`CannotCross`.

Kinds: None, bool, int, float (nan and infinities too), complex, str, bytes, bytearray, list, tuple, set,
frozenset, dict, pathlib paths, datetime/date/time (with their time zone: IANA name or fixed offset), timedelta,
numpy scalars and arrays (numbers, booleans, text, datetime64/timedelta64, objects of these kinds), pandas
Timestamp, Timedelta, NaT, NA, Index, RangeIndex, MultiIndex, Series and DataFrame (dtypes, names and ``attrs``
kept). This file imports only the standard library at load time (numpy and pandas when a value needs them), so
the grader can run its text in any kernel.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import pathlib
import sys
import zoneinfo

MAX_TEXT = 8_000_000  # characters of JSON per value that crosses
MAX_DEPTH = 60
ARRAY_KINDS = "biufcUSMmO"


class CannotCross(ValueError):
    """The value is of a kind the grader does not read, too large, or too deeply nested."""


def _kind_name(value) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__name__}"


# ---------------------------------------------------------------- encoding
def _tz(tzinfo, when=None):
    if tzinfo is None:
        return None
    if isinstance(tzinfo, zoneinfo.ZoneInfo):
        return {"zone": tzinfo.key}
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if isinstance(key, str):
        return {"zone": key}
    offset = tzinfo.utcoffset(when)
    if offset is None:
        raise CannotCross("a time zone without an offset")
    return {"offset": offset.total_seconds(), "name": tzinfo.tzname(when)}


def _enc(value, depth: int):
    if depth > MAX_DEPTH:
        raise CannotCross(f"a value nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is list:
        return [_enc(item, depth + 1) for item in value]
    if kind in (tuple, set, frozenset):
        items = value if kind is tuple else _sorted_if_possible(value)
        return {"$": kind.__name__, "v": [_enc(item, depth + 1) for item in items]}
    if kind is dict:
        return {"$": "dict", "v": [[_enc(k, depth + 1), _enc(v, depth + 1)] for k, v in value.items()]}
    if kind in (bytes, bytearray):
        return {"$": kind.__name__, "v": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {"$": "complex", "v": [repr(value.real), repr(value.imag)]}
    if kind in (pathlib.PosixPath, pathlib.PurePosixPath):
        return {"$": "path", "v": str(value)}
    if kind is dt.datetime:
        naive = value.replace(tzinfo=None)
        return {"$": "datetime", "v": naive.isoformat(), "fold": value.fold, "tz": _tz(value.tzinfo, value)}
    if kind is dt.date:
        return {"$": "date", "v": value.isoformat()}
    if kind is dt.time:
        return {"$": "time", "v": value.replace(tzinfo=None).isoformat(), "tz": _tz(value.tzinfo)}
    if kind is dt.timedelta:
        return {"$": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic | numpy.ndarray):
        return _enc_numpy(numpy, value, depth)
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        encoded = _enc_pandas(pandas, value, depth)
        if encoded is not None:
            return encoded
    raise CannotCross(f"a {_kind_name(value)}")


def _sorted_if_possible(items):
    try:
        return sorted(items)
    except TypeError:
        return list(items)


def _enc_numpy(numpy, value, depth: int):
    dtype = value.dtype
    if dtype.kind not in ARRAY_KINDS:
        raise CannotCross(f"a numpy value of dtype {dtype}")
    if isinstance(value, numpy.generic):
        if dtype.kind in "Mm":
            return {"$": "np.scalar", "dtype": dtype.str, "v": int(value.view("int64"))}
        return {"$": "np.scalar", "dtype": dtype.str, "v": _enc(value.item(), depth + 1)}
    if dtype.kind in "Mm":
        flat = [int(x) for x in value.reshape(-1).view("int64")]
    elif dtype.kind == "O":
        flat = [_enc(item, depth + 1) for item in value.reshape(-1)]
    else:
        flat = [_enc(item, depth + 1) for item in value.reshape(-1).tolist()]
    return {"$": "np.array", "dtype": dtype.str, "shape": list(value.shape), "v": flat}


def _enc_index(pandas, index, depth: int):
    kind = type(index)
    if kind is pandas.RangeIndex:
        return {
            "$": "pd.RangeIndex",
            "v": [index.start, index.stop, index.step],
            "name": _enc(index.name, depth),
        }
    if kind is pandas.MultiIndex:
        return {
            "$": "pd.MultiIndex",
            "v": [_enc(tuple(t), depth + 1) for t in index.tolist()],
            "names": [_enc(n, depth + 1) for n in index.names],
        }
    return {
        "$": "pd.Index",
        "dtype": str(index.dtype),
        "name": _enc(index.name, depth + 1),
        "v": [_enc(item, depth + 1) for item in index.tolist()],
    }


def _enc_pandas(pandas, value, depth: int):
    kind = type(value)
    if value is pandas.NaT:
        return {"$": "pd.NaT"}
    if value is pandas.NA:
        return {"$": "pd.NA"}
    if kind is pandas.Timestamp:
        utc = value.tz_convert("UTC").tz_localize(None) if value.tzinfo is not None else value
        return {"$": "pd.Timestamp", "v": utc.isoformat(), "unit": value.unit, "tz": _tz(value.tzinfo, value)}
    if kind is pandas.Timedelta:
        return {"$": "pd.Timedelta", "v": int(value.as_unit("ns").value), "unit": value.unit}
    if kind in (pandas.Index, pandas.RangeIndex, pandas.MultiIndex, pandas.DatetimeIndex):
        return _enc_index(pandas, value, depth + 1)
    if kind is pandas.Series:
        return {
            "$": "pd.Series",
            **_enc_column(pandas, value, depth + 1),
            "name": _enc(value.name, depth + 1),
            "index": _enc_index(pandas, value.index, depth + 1),
            "attrs": _enc(dict(value.attrs), depth + 1),
        }
    if kind is pandas.DataFrame:
        return {
            "$": "pd.DataFrame",
            "columns": _enc_index(pandas, value.columns, depth + 1),
            "index": _enc_index(pandas, value.index, depth + 1),
            "data": [_enc_column(pandas, column, depth + 2) for _, column in value.items()],
            "attrs": _enc(dict(value.attrs), depth + 1),
        }
    return None


def _enc_column(pandas, column, depth: int) -> dict:
    """A Series' values: numbers, booleans and text as a plain JSON list, datetimes as integers since the epoch
    in UTC (fast for the case files' thousands of rows), anything else value by value."""
    dtype = column.dtype
    name = str(dtype)
    kind = getattr(dtype, "kind", "O")
    if kind in "biuf" and not isinstance(dtype, pandas.api.extensions.ExtensionDtype):
        return {"dtype": name, "raw": column.tolist()}
    if kind == "M" and hasattr(column, "dt"):
        utc = column.dt.tz_convert("UTC").dt.tz_localize(None) if column.dt.tz is not None else column
        unit = utc.dtype.str.split("[")[-1].rstrip("]")
        return {"dtype": name, "epoch": unit, "raw": utc.to_numpy().view("int64").tolist()}
    if name == "str":
        values = column.tolist()
        if all(type(item) is str or (type(item) is float and math.isnan(item)) for item in values):
            return {"dtype": name, "raw": values}
    return {"dtype": name, "v": [_enc(item, depth + 1) for item in column.tolist()]}


def encode(value) -> str:
    """JSON text for ``value``; :class:`CannotCross` if it is of another kind, too deep or too large."""
    try:
        text = json.dumps(_enc(value, 0), separators=(",", ":"))
    except RecursionError:
        raise CannotCross("a value nested too deeply") from None
    if len(text) > MAX_TEXT:
        raise CannotCross(f"a value of {len(text):,} characters (the limit is {MAX_TEXT:,})")
    return text


# ---------------------------------------------------------------- decoding
def _tzinfo(spec):
    if spec is None:
        return None
    if "zone" in spec:
        try:
            return zoneinfo.ZoneInfo(str(spec["zone"]))
        except (ValueError, zoneinfo.ZoneInfoNotFoundError) as error:
            raise CannotCross(f"an unknown time zone ({error})") from None
    offset = dt.timedelta(seconds=float(spec["offset"]))
    if offset == dt.timedelta(0) and spec.get("name") == "UTC":
        return dt.UTC
    return dt.timezone(offset)


def _dec(data):
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [_dec(item) for item in data]
    if kind is not dict:
        raise CannotCross(f"unexpected data ({kind.__name__})")
    tag, value = data.get("$"), data.get("v")
    if tag == "float":
        if value not in ("nan", "inf", "-inf"):
            raise CannotCross("a float that is not a number")
        return float(value)
    if tag in ("tuple", "set", "frozenset"):
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](_dec(item) for item in value)
    if tag == "dict":
        return {_dec(k): _dec(v) for k, v in value}
    if tag in ("bytes", "bytearray"):
        raw = base64.b64decode(value.encode("ascii"), validate=True)
        return raw if tag == "bytes" else bytearray(raw)
    if tag == "complex":
        return complex(float(value[0]), float(value[1]))
    if tag == "path":
        return pathlib.Path(str(value))
    if tag == "datetime":
        when = dt.datetime.fromisoformat(value).replace(fold=int(data.get("fold", 0)))
        return when.replace(tzinfo=_tzinfo(data.get("tz")))
    if tag == "date":
        return dt.date.fromisoformat(value)
    if tag == "time":
        return dt.time.fromisoformat(value).replace(tzinfo=_tzinfo(data.get("tz")))
    if tag == "timedelta":
        return dt.timedelta(days=int(value[0]), seconds=int(value[1]), microseconds=int(value[2]))
    if tag is not None and tag.startswith("np."):
        return _dec_numpy(tag, data)
    if tag is not None and tag.startswith("pd."):
        return _dec_pandas(tag, data)
    raise CannotCross(f"unknown kind {tag!r}")


def _numpy_dtype(numpy, name):
    dtype = numpy.dtype(str(name))
    if dtype.kind not in ARRAY_KINDS:
        raise CannotCross(f"numpy dtype {dtype}")
    return dtype


def _dec_numpy(tag: str, data):
    import numpy

    dtype = _numpy_dtype(numpy, data["dtype"])
    if tag == "np.scalar":
        if dtype.kind in "Mm":
            return numpy.array([int(data["v"])], dtype="int64").view(dtype)[0]
        return dtype.type(_dec(data["v"]))
    if tag != "np.array":
        raise CannotCross(f"unknown kind {tag!r}")
    shape = tuple(int(n) for n in data["shape"])
    if dtype.kind in "Mm":
        flat = numpy.array([int(x) for x in data["v"]], dtype="int64").view(dtype)
    elif dtype.kind == "O":
        flat = numpy.empty(len(data["v"]), dtype=object)
        for position, item in enumerate(data["v"]):
            flat[position] = _dec(item)
    else:
        flat = numpy.array([_dec(item) for item in data["v"]], dtype=dtype)
    return flat.reshape(shape)


def _dec_index(pandas, data):
    tag = data.get("$")
    if tag == "pd.RangeIndex":
        start, stop, step = (int(n) for n in data["v"])
        return pandas.RangeIndex(start, stop, step, name=_dec(data.get("name")))
    if tag == "pd.MultiIndex":
        return pandas.MultiIndex.from_tuples(
            [_dec(t) for t in data["v"]], names=[_dec(n) for n in data["names"]]
        )
    if tag == "pd.Index":
        dtype = pandas.api.types.pandas_dtype(str(data["dtype"]))
        return pandas.Index([_dec(item) for item in data["v"]], dtype=dtype, name=_dec(data.get("name")))
    raise CannotCross(f"unknown index kind {tag!r}")


def _dec_pandas(tag: str, data):
    import pandas

    if tag == "pd.NaT":
        return pandas.NaT
    if tag == "pd.NA":
        return pandas.NA
    if tag == "pd.Timestamp":
        stamp = pandas.Timestamp(str(data["v"])).as_unit(str(data["unit"]))
        tz = _tzinfo(data.get("tz"))
        return stamp if tz is None else stamp.tz_localize("UTC").tz_convert(tz)
    if tag == "pd.Timedelta":
        return pandas.Timedelta(int(data["v"]), unit="ns").as_unit(str(data["unit"]))
    if tag in ("pd.Index", "pd.RangeIndex", "pd.MultiIndex"):
        return _dec_index(pandas, data)
    if tag == "pd.Series":
        series = _dec_column(pandas, data, _dec_index(pandas, data["index"]))
        series.name = _dec(data["name"])
        series.attrs.update(_dec(data["attrs"]))
        return series
    if tag == "pd.DataFrame":
        index = _dec_index(pandas, data["index"])
        columns = [_dec_column(pandas, column, index) for column in data["data"]]
        frame = pandas.DataFrame(dict(enumerate(columns)), index=index)
        frame.columns = _dec_index(pandas, data["columns"])
        frame.attrs.update(_dec(data["attrs"]))
        return frame
    raise CannotCross(f"unknown kind {tag!r}")


def _dec_column(pandas, data, index):
    dtype = pandas.api.types.pandas_dtype(str(data["dtype"]))
    if "raw" not in data:
        return pandas.Series([_dec(item) for item in data["v"]], index=index, dtype=dtype)
    raw = data["raw"]
    if not isinstance(raw, list) or any(isinstance(item, dict | list) for item in raw):
        raise CannotCross("a column of unexpected data")
    if "epoch" not in data:
        return pandas.Series(raw, index=index, dtype=dtype)
    import numpy

    unit = str(data["epoch"])
    if unit not in ("s", "ms", "us", "ns"):
        raise CannotCross(f"a datetime unit {unit!r}")
    values = numpy.array([int(item) for item in raw], dtype="int64").view(f"datetime64[{unit}]")
    series = pandas.Series(values, index=index)
    if getattr(dtype, "tz", None) is not None:
        series = series.dt.tz_localize("UTC").dt.tz_convert(dtype.tz)
    return series.astype(dtype)


def decode(text: str):
    """The value ``text`` (from :func:`encode`) describes, built from plain data; :class:`CannotCross` if the
    text is not such a description."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise CannotCross("a reply that is not text or is over the size limit")
    try:
        return _dec(json.loads(text))
    except CannotCross:
        raise
    except (
        RecursionError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        OverflowError,
    ) as error:
        raise CannotCross(f"a malformed value ({type(error).__name__})") from None
