"""Generate the case files of the 14 Larch Row break-in (Module 1), deterministically.

Run ``python -m spmu.case_generators.crime_scene`` to rewrite ``courses/crime_scene/data/``. Everything is
synthetic: invented people and places, fixed timestamps, ``random.Random(SEED)`` for the measurement noise,
and a PNG written byte by byte (stored deflate blocks) so every zlib build produces the same file.

Planted cases (what the exercises must find) and controls (what they must NOT flag) are listed in the comments
next to the rows that hold them.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
import struct
import zlib
from pathlib import Path

from courses.data import data_dir, sha256_of, write_manifest

SEED = 20260307

# --- bloodstains: one impact event at a known point, plus one passive drop that is not part of it ---------
ORIGIN_X_CM, ORIGIN_Y_CM, ORIGIN_HEIGHT_CM = 142.0, 88.0, 46.0
IMPACT_STAINS = 7

# --- sketch: fixed points A (door frame) and B (window frame) on the same wall -----------------------------
BASELINE_M = 4.20
SKETCH_ITEMS = [  # item_id, description, true x (m), true y (m); y < 0 is outside the wall (side = -1)
    ("CS-01", "kitchen knife on the rug", 1.62, 2.35),
    ("CS-03", "glass fragment below the window, outside", 3.55, -0.85),
    ("CS-04", "mobile phone under the armchair", 2.90, 1.40),
    ("CS-05", "footwear mark by the sofa", 0.85, 1.10),
    ("CS-06", "cigarette end near the fireplace", 3.75, 2.95),
]
# Planted transcription error: r_b was written as 0.82 m instead of 2.82 m, so the two tapes cannot meet
# (r_a + r_b < baseline): no point has both distances, and triangulate must refuse it.
INCONSISTENT_ITEM = ("CS-10", "button found by the door (distances as written in the notebook)", 3.10, 0.82)

# --- body examination (Henssge & Madea 2004 inputs), measured by the duty pathologist ---------------------
BODY = {
    "measured_at": "2026-03-07T08:15:00+01:00",
    "rectal_c": 29.5,
    "ambient_c": 18.0,
    "weight_kg": 74.0,
    "clothing": "shirt and trousers (two thin layers), dry",
    "air": "still air, windows closed apart from the broken pane",
    "corrective_factor": 1.1,  # Henssge's table: 1-2 thin layers, dry, still air -> 1.1
}

PHOTOGRAPHER = "Jo Kessler"
SCENE_OFFICER = "DC Priya Anand"
EXHIBITS_OFFICER = "Sam Okafor"
FIRST_OFFICER = "PC Martin Holt"
LAB_ANALYST = "Dr Lena Varga"
DIGITAL_ANALYST = "Ravi Menon"
STORE = "Property store (clerk Ana Petrov)"


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _bloodstain_rows(rng: random.Random) -> list[list]:
    """Stains whose shape and direction point back to the origin (straight-line model), rounded."""
    rows = []
    for number in range(1, IMPACT_STAINS + 1):
        bearing = math.radians(
            rng.uniform(0, 360) if number == 1 else (number - 1) * 360 / IMPACT_STAINS + rng.uniform(-15, 15)
        )
        distance = rng.uniform(45, 125)
        x = ORIGIN_X_CM + distance * math.cos(bearing)
        y = ORIGIN_Y_CM + distance * math.sin(bearing)
        alpha = math.atan(ORIGIN_HEIGHT_CM / distance)
        length = rng.uniform(4.5, 11.0)
        width = length * math.sin(alpha)
        rows.append(
            [
                f"S{number}",
                round(x, 1),
                round(y, 1),
                round(width, 1),
                round(length, 1),
                round(math.degrees(bearing) % 360),
                "impact spatter",
            ]
        )
    # Control: a passive drop (nearly round, direction meaningless) that must be left out of the convergence.
    rows.append([f"S{IMPACT_STAINS + 1}", 210.5, 40.0, 6.1, 6.3, 15, "passive drop"])
    return rows


def _sketch_rows() -> list[list]:
    rows = []
    for item_id, description, x, y in SKETCH_ITEMS:
        r_a = math.hypot(x, y)
        r_b = math.hypot(x - BASELINE_M, y)
        rows.append([item_id, description, BASELINE_M, round(r_a, 2), round(r_b, 2), 1 if y >= 0 else -1])
    item_id, description, r_a, r_b = INCONSISTENT_ITEM
    rows.append([item_id, description, BASELINE_M, r_a, r_b, 1])
    return rows


def _photo_log() -> str:
    shots = [
        ("07:05", "Overview of the living room from the doorway"),
        ("07:07", "Broken pane of the rear window, from inside"),
        ("07:12", "Bloodstains S1-S8 on the floor with an L-shaped scale"),
        ("07:18", "Kitchen knife CS-01 on the rug, with exhibit marker"),
        ("07:21", "Mobile phone CS-04 under the armchair, with exhibit marker"),
        ("07:26", "Footwear mark CS-05 by the sofa, with scale"),
        ("07:31", "Cigarette end CS-06 near the fireplace, with exhibit marker"),
        ("07:40", "Glass fragment CS-03 outside below the window"),
    ]
    lines = ["photo_no,taken_at,photographer,description"]
    lines += [
        f"P{n:03d},2026-03-07T{t}:00+01:00,{PHOTOGRAPHER},{d}" for n, (t, d) in enumerate(shots, start=1)
    ]
    return "\n".join(lines) + "\n"


WITNESS_STATEMENT = """WITNESS STATEMENT (synthetic training material)
Name: Hana Ilves            Address: 12 Larch Row (neighbour)
Taken by: DC Priya Anand    Date: 2026-03-07, 09:30 local time

On the evening of 6 March I was reading in my front room. At about twenty to midnight I heard
glass breaking from the back of number 14, then a door bang. I looked out of the side window
and saw a person in a dark hooded coat walk quickly towards the lane. I could not see a face.
I did not hear a car. I went to bed at about half past midnight and heard nothing more.
"""
# Planted HASH_MISMATCH: the statement was acquired with a different last line; the stored file was edited
# later, so its SHA-256 no longer matches the acquisition hash recorded in the custody log.
WITNESS_STATEMENT_AS_ACQUIRED = WITNESS_STATEMENT.replace("at about half past midnight", "at about midnight")


def _png_grayscale(rows: list[bytearray]) -> bytes:
    """An 8-bit greyscale PNG whose IDAT holds stored deflate blocks: byte-identical everywhere."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    blocks = []
    for start in range(0, len(raw), 65535):
        part = raw[start : start + 65535]
        final = 1 if start + 65535 >= len(raw) else 0
        blocks.append(struct.pack("<BHH", final, len(part), len(part) ^ 0xFFFF) + part)
    stream = b"\x78\x01" + b"".join(blocks) + struct.pack(">I", zlib.adler32(raw))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")


def _floor_plan_png() -> bytes:
    """Living room 5.0 m x 3.6 m at 40 px per metre: walls, door, window, points A and B, exhibits."""
    scale = 40  # pixels per metre
    width, height = 5 * scale + 20, int(3.6 * scale) + 60
    img = [bytearray([255] * width) for _ in range(height)]

    def box(x0: int, y0: int, x1: int, y1: int, value: int) -> None:
        for y in range(max(0, y0), min(height, y1)):
            for x in range(max(0, x0), min(width, x1)):
                img[y][x] = value

    left, top = 10, 40  # the wall with A and B runs along y = top; "outside" is above it
    right, bottom = left + 5 * scale, top + int(3.6 * scale)
    box(left, top, right, top + 2, 0)
    box(left, bottom - 2, right, bottom, 0)
    box(left, top, left + 2, bottom, 0)
    box(right - 2, top, right, bottom, 0)
    box(left + 2, top, left + 2 + int(0.9 * scale), top + 2, 255)  # door gap next to A
    box(left + int(3.3 * scale), top - 1, left + int(4.4 * scale), top + 3, 160)  # window (grey)
    for x_m in (0.0, BASELINE_M):  # fixed points A and B
        cx = left + int(x_m * scale)
        box(cx - 3, top - 3, cx + 4, top + 4, 90)
    for _, _, x_m, y_m in SKETCH_ITEMS:  # exhibit markers (y grows into the room)
        cx, cy = left + int(x_m * scale), top + int(y_m * scale)
        box(cx - 2, cy - 2, cx + 3, cy + 3, 40)
    return _png_grayscale(img)


def _custody_rows(hashes: dict[str, str]) -> list[list]:
    """The exhibits register: one row per event; planted defects and controls are marked in the comments."""
    t = "2026-03-07T{}:00{}"
    cet, utc = "+01:00", "+00:00"  # the scene team writes local time (CET), the laboratories write UTC
    S, E, F, L, D = SCENE_OFFICER, EXHIBITS_OFFICER, FIRST_OFFICER, LAB_ANALYST, DIGITAL_ANALYST
    rows = [
        # CS-01 knife. Control: seq 4 LOOKS earlier than seq 3 if you compare the clock text
        # ("10:05" < "10:50"), but 10:50+01:00 is 09:50 UTC, before 10:05 UTC: no TIME_REVERSAL.
        ["CS-01", 1, t.format("07:20", cet), "SEIZED", "scene", S, "S-100211", "", "knife on rug"],
        ["CS-01", 2, t.format("09:10", cet), "TRANSFERRED", S, E, "S-100211", "", "to exhibits officer"],
        [
            "CS-01",
            3,
            t.format("10:50", cet),
            "TRANSFERRED",
            E,
            "Courier Lee Park",
            "S-100211",
            "",
            "to laboratory",
        ],
        [
            "CS-01",
            4,
            t.format("10:05", utc),
            "TRANSFERRED",
            "Courier Lee Park",
            L,
            "S-100211",
            "",
            "received at lab",
        ],
        ["CS-01", 5, t.format("13:40", utc), "OPENED", L, L, "S-100211", "", "opened for DNA swabbing"],
        ["CS-01", 6, t.format("15:15", utc), "RESEALED", L, L, "S-100648", "", "resealed after swabbing"],
        # CS-02 swab of stain S3. Control: seq 3 is the SAME instant as seq 2 written in another offset
        # (11:00+01:00 = 10:00 UTC): not a reversal. Control: OPENED -> RESEALED with a new seal is correct.
        ["CS-02", 1, t.format("07:50", cet), "SEIZED", "scene", S, "S-100215", "", "swab of stain S3"],
        [
            "CS-02",
            2,
            t.format("11:00", cet),
            "TRANSFERRED",
            S,
            "Courier Lee Park",
            "S-100215",
            "",
            "to laboratory",
        ],
        [
            "CS-02",
            3,
            t.format("10:00", utc),
            "TRANSFERRED",
            "Courier Lee Park",
            L,
            "S-100215",
            "",
            "received at lab",
        ],
        ["CS-02", 4, t.format("12:30", utc), "OPENED", L, L, "S-100215", "", "opened for DNA extraction"],
        [
            "CS-02",
            5,
            t.format("12:55", utc),
            "RESEALED",
            L,
            L,
            "S-100650",
            "",
            "resealed, remainder retained",
        ],
        # CS-03 glass. Planted HANDOFF_GAP at seq 3: the exhibits officer received it, PC Holt hands it on.
        ["CS-03", 1, t.format("07:45", cet), "SEIZED", "scene", S, "S-100219", "", "glass fragment outside"],
        ["CS-03", 2, t.format("09:15", cet), "TRANSFERRED", S, E, "S-100219", "", "to exhibits officer"],
        ["CS-03", 3, t.format("11:30", cet), "TRANSFERRED", F, STORE, "S-100219", "", "booked into store"],
        # CS-04 phone. Planted TIME_REVERSAL at seq 3, visible only in UTC: the clock text goes
        # 09:40 -> 10:25, but 10:25+01:00 is 09:25 UTC, fifteen minutes BEFORE the lab says it
        # received the phone.
        ["CS-04", 1, t.format("07:25", cet), "SEIZED", "scene", S, "S-100222", "", "phone, switched off"],
        ["CS-04", 2, t.format("09:40", utc), "TRANSFERRED", S, D, "S-100222", "", "received at digital lab"],
        ["CS-04", 3, t.format("10:25", cet), "TRANSFERRED", D, STORE, "S-100222", "", "returned to store"],
        # CS-05 footwear lift. Planted SEAL_CHANGE at seq 3: the seal number changes on a transfer, with no
        # OPENED -> RESEALED record to explain it.
        [
            "CS-05",
            1,
            t.format("07:35", cet),
            "SEIZED",
            "scene",
            S,
            "S-100233",
            "",
            "gel lift of footwear mark",
        ],
        ["CS-05", 2, t.format("09:20", cet), "TRANSFERRED", S, E, "S-100233", "", "to exhibits officer"],
        ["CS-05", 3, t.format("11:45", cet), "TRANSFERRED", E, STORE, "S-100871", "", "booked into store"],
        # CS-06 cigarette end. Planted MISSING_PARTY at seq 3: nobody signed as the receiver.
        ["CS-06", 1, t.format("07:38", cet), "SEIZED", "scene", S, "S-100236", "", "cigarette end"],
        ["CS-06", 2, t.format("09:25", cet), "TRANSFERRED", S, E, "S-100236", "", "to exhibits officer"],
        ["CS-06", 3, t.format("11:50", cet), "TRANSFERRED", E, "", "S-100236", "", "booked into store"],
        # Digital exhibits: acquisition hash when copied at the scene, verification hash at the digital lab.
        # CS-07 photo log. Control: the verification hash is written in capitals; it is the same digest.
        [
            "CS-07",
            1,
            t.format("08:00", cet),
            "ACQUIRED",
            "scene",
            S,
            "",
            hashes["photo_log.csv"],
            "copied from camera",
        ],
        ["CS-07", 2, t.format("09:45", cet), "TRANSFERRED", S, D, "", "", "on exhibit USB stick"],
        [
            "CS-07",
            3,
            t.format("11:10", utc),
            "VERIFIED",
            D,
            D,
            "",
            hashes["photo_log.csv"].upper(),
            "hash checked",
        ],
        # CS-08 witness statement. Planted HASH_MISMATCH at seq 3: the file changed after acquisition.
        [
            "CS-08",
            1,
            t.format("10:15", cet),
            "ACQUIRED",
            "scene",
            S,
            "",
            hashlib.sha256(WITNESS_STATEMENT_AS_ACQUIRED.encode("utf-8")).hexdigest(),
            "typed statement saved",
        ],
        ["CS-08", 2, t.format("10:20", cet), "TRANSFERRED", S, D, "", "", "on exhibit USB stick"],
        [
            "CS-08",
            3,
            t.format("11:20", utc),
            "VERIFIED",
            D,
            D,
            "",
            hashes["witness_statement.txt"],
            "hash checked",
        ],
        # CS-09 floor plan: a clean digital record.
        [
            "CS-09",
            1,
            t.format("08:30", cet),
            "ACQUIRED",
            "scene",
            S,
            "",
            hashes["floor_plan.png"],
            "sketch scanned",
        ],
        ["CS-09", 2, t.format("09:50", cet), "TRANSFERRED", S, D, "", "", "on exhibit USB stick"],
        ["CS-09", 3, t.format("11:25", utc), "VERIFIED", D, D, "", hashes["floor_plan.png"], "hash checked"],
    ]
    # The register lists entries in the order of their clock text as typed, not grouped per item.
    return sorted(rows, key=lambda row: (row[2], row[0], row[1]))


def generate(out_dir: Path) -> None:
    """Write every case file of the module into ``out_dir`` and finish with its SHA-256 manifest."""
    out_dir = Path(out_dir)
    rng = random.Random(SEED)
    _write_csv(
        out_dir / "bloodstains.csv",
        ["stain_id", "x_cm", "y_cm", "width_mm", "length_mm", "gamma_deg", "pattern"],
        _bloodstain_rows(rng),
    )
    _write_csv(
        out_dir / "sketch_measurements.csv",
        ["item_id", "description", "baseline_m", "r_a_m", "r_b_m", "side"],
        _sketch_rows(),
    )
    _write_csv(out_dir / "body_examination.csv", list(BODY), [list(BODY.values())])

    evidence = out_dir / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    (evidence / "photo_log.csv").write_text(_photo_log(), encoding="utf-8", newline="\n")
    (evidence / "witness_statement.txt").write_text(WITNESS_STATEMENT, encoding="utf-8", newline="\n")
    (evidence / "floor_plan.png").write_bytes(_floor_plan_png())
    hashes = {path.name: sha256_of(path) for path in sorted(evidence.iterdir())}

    _write_csv(
        out_dir / "custody_log.csv",
        ["item_id", "seq", "timestamp", "action", "from_party", "to_party", "seal_id", "sha256", "note"],
        _custody_rows(hashes),
    )
    write_manifest(out_dir)


if __name__ == "__main__":
    generate(data_dir("crime_scene"))
