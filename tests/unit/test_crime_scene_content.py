"""The crime-scene notebooks' worked examples and hidden-test figures are recomputed here, independently."""

import ast
import itertools
import json
import math
from pathlib import Path

from courses.crime_scene import load_bloodstains

SOURCE = Path(__file__).resolve().parents[2] / "source" / "crime_scene"


def cell_source(notebook: str, cell_id: str) -> str:
    """The source text of one cell of a crime-scene source notebook, found by its cell id."""
    cells = json.loads((SOURCE / notebook).read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c.get("id") == cell_id]
    return "".join(cell["source"])


def all_code(notebook: str) -> list[str]:
    cells = json.loads((SOURCE / notebook).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def henssge(rectal_c: float, ambient_c: float, weight_kg: float, factor: float = 1.0) -> float:
    """Henssge & Madea (2004), ambient at most 23 °C: t with Q(t) = measured Q, by 100 bisection steps."""
    q = (rectal_c - ambient_c) / (37.2 - ambient_c)
    b = -1.2815 * (factor * weight_kg) ** -0.625 + 0.0284
    low, high = 0.0, 200.0
    for _ in range(100):
        middle = (low + high) / 2
        if 1.25 * math.exp(b * middle) - 0.25 * math.exp(5 * b * middle) > q:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _loop_cases(code: str, first_target: str) -> list:
    """The literal list a ``for <first_target>, ... in [...]`` loop of a cell iterates over."""
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Tuple)
            and getattr(node.target.elts[0], "id", None) == first_target
            and isinstance(node.iter, ast.List)
        ):
            return ast.literal_eval(node.iter)
    raise LookupError(first_target)


def test_henssge_hidden_figures_recompute():
    cases = _loop_cases(cell_source("02_time_of_death.ipynb", "test-henssge-hours-hidden"), "_args")
    assert len(cases) == 4
    for args, hours in cases:
        assert abs(henssge(*args) - hours) < 0.005, (args, hours, henssge(*args))


def test_henssge_worked_example_recomputes():
    assert abs(henssge(30, 20, 70) - 12.26) < 0.005
    assert "**12.26 hours**" in cell_source("02_time_of_death.ipynb", "henssge-example-intro")


def test_no_henssge_call_uses_an_unadapted_factor_of_1_4_or_more_for_a_body_other_than_70_kg():
    # Henssge & Madea (2004): factors from about 1.4 up must be adapted to the body weight first; 70 kg is the
    # weight the unadapted factors are for.
    calls = 0
    for code in all_code("02_time_of_death.ipynb"):
        for node in ast.walk(ast.parse(code)):
            literals = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "henssge_hours",
                "henssge_window",
            }:
                literals = [ast.literal_eval(a) for a in node.args if isinstance(a, ast.Constant)]
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) == 4
                and all(isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) for e in node.elts)
            ):
                literals = [e.value for e in node.elts]
            if len(literals) == 4:
                calls += 1
                _rectal, _ambient, weight, factor = literals
                assert factor < 1.4 or weight == 70, f"factor {factor} at {weight} kg used without adaptation"
    assert calls >= 15, calls


def _convergence(rows: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Least-squares crossing point of lines through (x, y) with direction gamma degrees, by Cramer's rule."""
    a = b = c = p = q = 0.0
    for x, y, gamma in rows:
        ux, uy = math.cos(math.radians(gamma)), math.sin(math.radians(gamma))
        # P = I - u u^T
        pxx, pxy, pyy = 1 - ux * ux, -ux * uy, 1 - uy * uy
        a, b, c = a + pxx, b + pxy, c + pyy
        p, q = p + pxx * x + pxy * y, q + pxy * x + pyy * y
    det = a * c - b * b
    return (c * p - b * q) / det, (a * q - b * p) / det


def test_bloodstain_report_area_and_heights_recompute():
    stains = load_bloodstains()
    impact = stains[stains["pattern"] == "impact spatter"]
    rows = list(zip(impact["x_cm"], impact["y_cm"], impact["gamma_deg"], strict=True))
    cx, cy = _convergence(rows)
    assert (round(cx, 2), round(cy, 2)) == (141.90, 88.14)
    points = [
        _convergence([(x, y, g + turn) for (x, y, g), turn in zip(rows, turns, strict=True)])
        for turns in itertools.product([-3, 3], repeat=len(rows))
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    box = (math.floor(min(xs)), math.ceil(max(xs)), math.floor(min(ys)), math.ceil(max(ys)))
    assert box == (135, 149, 81, 95)
    text = cell_source("01_bloodstains.ipynb", "convergence-report-intro")
    assert "**135 to 149 cm** along $x$ and **81 to 95 cm** along $y$" in text
    heights = [
        math.hypot(r.x_cm - cx, r.y_cm - cy) * math.tan(math.asin(r.width_mm / r.length_mm))
        for r in impact.itertuples()
    ]
    assert 46 < max(heights) <= 47 and "up to\nabout **47 cm**" in text
    # S6 is the stain the notebook explains as lying in the hall, past the open door in the wall y = 0.
    s6 = stains.set_index("stain_id").loc["S6"]
    assert s6["y_cm"] == -34.9 and 110 < s6["x_cm"] < 200
    assert "$y = -34.9$ cm" in cell_source("01_bloodstains.ipynb", "intro")
