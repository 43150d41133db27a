"""Every assignment's simulated trainee mistakes are well formed and cover every graded function.

That each mistake loses exactly the points it claims is checked end to end under nbgrader by the pipeline
tier (tests/pipeline), where a trainee carries several mistakes with disjoint failing cells.
"""

from pathlib import Path

import nbformat
import pytest

from spmu.cohort import MISTAKES_FILE, load_mistakes

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (COURSE_ROOT / "source").iterdir() if p.is_dir())
# The typical mistakes each module's issue names explicitly.
REQUIRED = {
    "crime_scene": {"radians_instead_of_degrees"},
    "financial_investigation": {"float_dollars_first_digit", "us_regime_or_more", "window_off_by_one_day"},
    "cybercrime": {"received_chain_top_down", "syslog_time_zone_ignored", "case_sensitive_hash_match"},
}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_typical_mistake(assignment):
    assert (COURSE_ROOT / "source" / assignment / MISTAKES_FILE).is_file()
    mistakes = load_mistakes(COURSE_ROOT, assignment)  # raises CourseError naming any malformed entry
    answer_cells = {
        (path.name, cell.metadata["nbgrader"]["grade_id"])
        for path in (COURSE_ROOT / "source" / assignment).glob("*.ipynb")
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }
    assert answer_cells - {(m.notebook, m.cell) for m in mistakes} == set()
    assert REQUIRED.get(assignment, set()) <= {m.id for m in mistakes}
    assert all(m.fails and m.description.strip() for m in mistakes)
