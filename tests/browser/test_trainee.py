"""A trainee in JupyterLab: open each module's notebooks (answered), Run All, use the widgets, run a self-check,
press Validate."""

from __future__ import annotations

from pathlib import PurePosixPath

import nbformat
import pytest
from lab_page import (
    CONTROLS,
    cell_at,
    change_first_control,
    error_outputs,
    image_count,
    leave_notebook,
    open_notebook,
    output_fingerprint,
    run_all,
    run_cell,
    unexecuted_code_cells,
    validate,
    wait_for_figures_drawn,
    wait_for_output_change,
    widget_cells,
)

ASSIGNMENTS = ["crime_scene", "financial_investigation", "cybercrime", "trafficking_in_human_beings"]


def self_check_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the "check yourself" code cells (their ids contain "selfcheck" in all three modules)."""
    return [
        i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and "selfcheck" in c.get("id", "")
    ]


@pytest.mark.browser
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_trainee_runs_each_notebook_and_uses_its_widgets(
    assignment, answered, lab_root, lab, page, console, screenshots
):
    notebooks = answered(assignment)
    assert notebooks, f"release/{assignment} holds no notebook"
    changed_controls, self_checks = [], []
    for number, path in enumerate(notebooks):
        name = PurePosixPath(path).stem
        notebook = open_notebook(page, lab, path)
        screenshots.save(page, f"{name}-opened")

        run_all(page)
        screenshots.save(page, f"{name}-after-run-all")
        assert error_outputs(notebook) == [], f"{path}: a cell failed when run with the answers filled in"
        assert unexecuted_code_cells(notebook) == 0, f"{path}: Run All did not reach every code cell"

        cells = widget_cells(notebook)
        assert cells.count() > 0, f"{path}: no widget rendered after Run All"
        for index in range(cells.count()):
            cell = cells.nth(index)
            cell.scroll_into_view_if_needed()
            wait_for_figures_drawn(cell, f"in {path}, widget {index + 1}")
            screenshots.save(cell, f"{name}-widget-{index + 1}")
            if not cell.locator(CONTROLS).count():
                continue
            before, images = output_fingerprint(cell), image_count(cell)
            what = change_first_control(cell)
            wait_for_output_change(cell, before, what)
            wait_for_figures_drawn(cell, f"in {path}, widget {index + 1}, after {what}")
            screenshots.save(cell, f"{name}-widget-{index + 1}-after-change")
            assert error_outputs(cell) == [], f"{path}: widget {index + 1} failed after {what}"
            assert image_count(cell) >= images, f"{path}: widget {index + 1} lost its plot after {what}"
            changed_controls.append(f"{name}: {what}")

        for index in self_check_cells(nbformat.read(lab_root / path, as_version=4))[:1]:
            cell = cell_at(notebook, index)
            run_cell(cell)
            screenshots.save(cell, f"{name}-self-check")
            message = cell.locator(".jp-OutputArea-output").all_inner_texts()
            assert "".join(message).strip(), f"{path}: the self-check cell {index} showed no message"
            assert error_outputs(cell) == [], f"{path}: the self-check cell {index} failed: {message}"
            self_checks.append(name)

        if number == 0:  # the server runs the whole notebook again: once per module is enough
            dialog = validate(page)
            screenshots.save(dialog, f"{name}-validate")
            message = dialog.locator("#validation-message")
            assert "validation-success" in (message.get_attribute("class") or ""), (
                f"{path}: Validate did not report success for the answered notebook: {message.inner_text()}"
            )
            dialog.get_by_role("button", name="Ok").click()
        leave_notebook(page, lab)

    assert changed_controls, f"{assignment}: no widget has a slider, selector or text box to try"
    assert self_checks, (
        f"{assignment}: no notebook has a self-check cell (a code cell whose id contains 'selfcheck')"
    )
    assert console.unexpected() == [], "JupyterLab logged console errors"
