"""Loaders for the case files of the 14 Larch Row break-in, checked against the SHA-256 manifest.

A changed or corrupted file raises :class:`courses.data.CaseFileError` naming it, so a notebook never works on
tampered evidence without saying so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from courses.data import case_path, load_csv

MODULE = "crime_scene"


def load_bloodstains() -> pd.DataFrame:
    """Floor stains: ``stain_id, x_cm, y_cm, width_mm, length_mm, gamma_deg, pattern``.

    ``gamma_deg`` is the direction of travel (0 = +x, counter-clockwise); ``pattern`` is ``"impact spatter"``
    or ``"passive drop"``.
    """
    return load_csv(MODULE, "bloodstains.csv")


def load_sketch_measurements() -> pd.DataFrame:
    """Triangulation tape measurements: ``item_id, description, baseline_m, r_a_m, r_b_m, side``."""
    return load_csv(MODULE, "sketch_measurements.csv")


def load_body_examination() -> dict[str, object]:
    """The pathologist's scene measurements as a dict (temperatures in degrees Celsius, weight in kg)."""
    row = load_csv(MODULE, "body_examination.csv").iloc[0]
    return {
        "measured_at": pd.Timestamp(row["measured_at"]).tz_convert("UTC"),
        "rectal_c": float(row["rectal_c"]),
        "ambient_c": float(row["ambient_c"]),
        "weight_kg": float(row["weight_kg"]),
        "clothing": str(row["clothing"]),
        "air": str(row["air"]),
        "corrective_factor": float(row["corrective_factor"]),
    }


def load_custody_log() -> pd.DataFrame:
    """The exhibits register, one row per event, in the order it was typed up (not sorted per item).

    Columns: ``item_id, seq, timestamp, action, from_party, to_party, seal_id, sha256, note``.
    ``timestamp`` is ISO 8601 text with its own UTC offset (the scene team wrote local time +01:00, the
    laboratories UTC +00:00).
    Empty cells are empty strings.
    """
    return load_csv(MODULE, "custody_log.csv", dtype=str, keep_default_na=False).astype({"seq": int})


def evidence_path(name: str) -> Path:
    """Path of one digital exhibit under ``evidence/`` (e.g. ``"witness_statement.txt"``), checked."""
    return case_path(MODULE, f"evidence/{name}")
