"""The crime-scene case files hold the planted cases the exercises need; the loaders refuse tampering."""

import ast
import math
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from courses import crime_scene, data
from courses.crime_scene import (
    evidence_path,
    load_bloodstains,
    load_body_examination,
    load_custody_log,
    load_sketch_measurements,
)

GRADED_FUNCTIONS = {
    "impact_angle",
    "convergence_point",
    "origin_height",
    "glaister_hours",
    "henssge_hours",
    "henssge_window",
    "triangulate",
    "to_drawing_cm",
    "sha256_file",
    "audit_custody",
}


def test_bloodstains_point_back_to_the_planted_origin():
    stains = load_bloodstains()
    assert list(stains.columns) == [
        "stain_id",
        "x_cm",
        "y_cm",
        "width_mm",
        "length_mm",
        "gamma_deg",
        "pattern",
    ]
    assert (stains["width_mm"] <= stains["length_mm"]).all() and (stains["width_mm"] > 0).all()
    impact = stains[stains["pattern"] == "impact spatter"]
    for row in impact.itertuples():
        bearing = math.degrees(math.atan2(row.y_cm - 88.0, row.x_cm - 142.0)) % 360
        assert abs((row.gamma_deg - bearing + 180) % 360 - 180) < 2, (
            f"{row.stain_id} should travel away from (142, 88)"
        )
        height = (
            math.hypot(row.x_cm - 142.0, row.y_cm - 88.0)
            * row.width_mm
            / math.sqrt(row.length_mm**2 - row.width_mm**2)
        )
        assert abs(height - 46.0) < 2.5, f"{row.stain_id} should point back to about 46 cm"
    assert set(stains["pattern"]) == {"impact spatter", "passive drop"}


def test_sketch_has_consistent_rows_and_one_planted_inconsistent_row():
    sketch = load_sketch_measurements()
    meets = (sketch["r_a_m"] + sketch["r_b_m"] >= sketch["baseline_m"]) & (
        (sketch["r_a_m"] - sketch["r_b_m"]).abs() <= sketch["baseline_m"]
    )
    assert list(sketch.loc[~meets, "item_id"]) == ["CS-10"]
    assert set(sketch["side"]) == {1, -1}


def test_body_examination_is_inside_the_henssge_domain():
    exam = load_body_examination()
    assert exam["measured_at"] == pd.Timestamp("2026-03-07T07:15:00Z")
    q = (exam["rectal_c"] - exam["ambient_c"]) / (37.2 - exam["ambient_c"])
    assert exam["ambient_c"] <= 23 and 0.5 < q < 1 and exam["corrective_factor"] != 1


def test_custody_log_hashes_match_the_evidence_files_except_the_planted_mismatch():
    log = load_custody_log()
    assert log["seq"].dtype == "int64" and (log["sha256"] != "").sum() == 6
    offsets = {stamp[-6:] for stamp in log["timestamp"]}
    assert offsets == {"+01:00", "+00:00"}, "the register mixes local time and UTC on purpose"
    files = {"CS-07": "photo_log.csv", "CS-08": "witness_statement.txt", "CS-09": "floor_plan.png"}
    for item_id, name in files.items():
        rows = log[(log["item_id"] == item_id) & (log["sha256"] != "")].sort_values("seq")
        acquired, verified = rows["sha256"].str.lower()
        assert verified == data.sha256_of(evidence_path(name)), (
            f"{item_id}: verification hash is the file's hash"
        )
        assert (acquired == verified) == (item_id != "CS-08"), (
            f"{item_id}: only CS-08 changed after acquisition"
        )


def test_floor_plan_is_a_readable_png():
    image = mpimg.imread(str(evidence_path("floor_plan.png")))
    assert image.shape == (204, 220) and image.min() == 0.0 and image.max() == 1.0


def test_a_corrupted_custody_log_is_refused_by_name(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir("crime_scene"), copy)
    monkeypatch.setattr(data, "data_dir", lambda module: copy)
    with open(copy / "custody_log.csv", "a", encoding="utf-8") as handle:
        handle.write("CS-99,1,2026-03-07T12:00:00+00:00,SEIZED,scene,Someone,S-1,,added later\n")
    with pytest.raises(data.CaseFileError, match="custody_log.csv"):
        load_custody_log()
    with pytest.raises(data.CaseFileError, match="no case file 'evidence/missing.txt'"):
        evidence_path("missing.txt")


def test_the_package_holds_no_reference_solution():
    package = Path(crime_scene.__file__).parent
    defined = set()
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        defined |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert not defined & GRADED_FUNCTIONS, (
        f"graded functions must not be defined in courses/: {defined & GRADED_FUNCTIONS}"
    )
