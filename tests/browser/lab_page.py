"""Drive a JupyterLab page the way a trainee does: open a notebook, Run All, move a control, Validate."""

from __future__ import annotations

import itertools
import re

from lab_server import LabServer, shut_down_kernels
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_READY_TIMEOUT_MS = 60_000
RUN_ALL_TIMEOUT_MS = 180_000
WIDGET_UPDATE_TIMEOUT_MS = 20_000
VALIDATE_TIMEOUT_MS = 120_000

_workspace_numbers = itertools.count(1)

# True when no code cell is queued or running ("[*]") and either every code cell has run or an error stopped Run All.
_RUN_ALL_FINISHED = """(selector) => {
  const panel = document.querySelector(selector);
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent);
  if (!prompts.length || prompts.some(t => t.includes('*'))) return false;
  const stopped = [...panel.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
    .some(e => e.textContent.includes('Traceback'));
  return stopped || prompts.every(t => /\\d/.test(t));
}"""

# What a cell's widgets show (text, images, drawings), leaving out the controls' own values (slider readouts,
# selectors, text boxes), so that only a real change of the plot, table or message counts.
_OUTPUT_FINGERPRINT = """(cell) => {
  const area = cell.querySelector('.jp-OutputArea').cloneNode(true);
  area.querySelectorAll('.widget-readout, select, textarea, input').forEach(e => e.remove());
  return area.textContent + [...area.querySelectorAll('img')].map(i => i.src).join('') +
         [...area.querySelectorAll('svg')].map(s => s.outerHTML).join('');
}"""


# The share of each matplotlib figure's canvas (ipympl) that is painted (not white or transparent), one number per
# figure in the cell. ipympl sends a changed frame as a difference from the last one; when the browser loses the
# first full frame (ipympl#556) the canvas stays blank and later shows only what changed.
_FIGURES_PAINTED = """(cell) => [...cell.querySelectorAll('.jupyter-matplotlib-figure')].map(figure => {
  const canvas = figure.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] > 0 && Math.min(rgba[i], rgba[i + 1], rgba[i + 2]) < 200) painted++;
  }
  return painted / (canvas.width * canvas.height);
})"""
MIN_PAINTED = (
    0.01  # every drawn course figure paints 2-33 % of its canvas; one that lost its first frame 0-0.3 %
)

_KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle$/.test(e.textContent))"""


def wait_for_kernel_idle(page: Page) -> None:
    """Wait until the status bar says the kernel is idle (a widget callback has finished drawing)."""
    page.wait_for_function(_KERNEL_IDLE, timeout=WIDGET_UPDATE_TIMEOUT_MS)


def open_notebook(page: Page, server: LabServer, relative_path: str) -> Locator:
    """Open a notebook in a fresh Lab workspace and wait for its kernel; the notebook panel."""
    page.goto(server.lab_url(relative_path, f"browser-test-{next(_workspace_numbers)}"))
    page.wait_for_function(_KERNEL_IDLE, timeout=KERNEL_READY_TIMEOUT_MS)
    return page.locator(VISIBLE_NOTEBOOK)


def leave_notebook(page: Page, server: LabServer) -> None:
    """Leave the page, then shut its kernel down (a trainee closing the notebook with its kernel)."""
    page.goto("about:blank")
    shut_down_kernels(server)


def run_all(page: Page) -> None:
    """Run > Run All Cells, then wait until the run has finished or stopped at an error."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(_RUN_ALL_FINISHED, arg=VISIBLE_NOTEBOOK, timeout=RUN_ALL_TIMEOUT_MS)
    wait_for_kernel_idle(page)


def unexecuted_code_cells(notebook: Locator) -> int:
    """How many code cells have no execution count after a run."""
    prompts = notebook.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    return sum(1 for text in prompts if not re.search(r"\d", text))


def error_outputs(notebook: Locator) -> list[str]:
    """Tracebacks shown in the notebook (Lab renders errors as stderr output)."""
    stderr = notebook.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    return [text for text in stderr if "Traceback" in text]


def widget_cells(notebook: Locator) -> Locator:
    """Cells whose output holds a rendered ipywidget."""
    return notebook.locator(".jp-CodeCell").filter(
        has=notebook.page.locator(".jp-OutputArea .jupyter-widgets")
    )


def output_fingerprint(cell: Locator) -> str:
    """Text and images of a cell's widget outputs, to tell whether they changed."""
    return cell.evaluate(_OUTPUT_FINGERPRINT)


SLIDER, SELECTOR, TEXT_BOX = ".widget-slider .noUi-handle", ".widget-dropdown select", ".widget-text input"
CONTROLS = f"{SLIDER}, {SELECTOR}, {TEXT_BOX}"


def change_first_control(cell: Locator) -> str:
    """Move the first slider one step, else pick another option of the first selector, else add a character to
    the first text box; then press the widget's first button if it has one (widgets that work on request, such
    as "Analyse"). Returns what was done, in words."""
    slider, dropdown, text_box = cell.locator(SLIDER), cell.locator(SELECTOR), cell.locator(TEXT_BOX)
    if slider.count():
        handle = slider.first
        label = cell.locator(".widget-slider .widget-label").first.inner_text()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        handle.press("ArrowLeft" if at_max else "ArrowRight")  # one step: one update to wait for
        done = f"moving slider {label!r}"
    elif dropdown.count():
        options = dropdown.first.locator("option").all_inner_texts()
        other = (dropdown.first.evaluate("select => select.selectedIndex") + 1) % len(options)
        dropdown.first.select_option(index=other)
        done = f"choosing {options[other]!r} in a selector"
    elif text_box.count():
        text_box.first.press("End")
        text_box.first.press_sequentially("!")
        text_box.first.press("Enter")
        done = "typing '!' at the end of a text box"
    else:
        raise AssertionError("this widget has no slider, selector or text box to change")
    button = cell.locator("button.widget-button")
    if button.count():
        done += f" and pressing {button.first.inner_text()!r}"
        button.first.click()
    return done


def wait_for_output_change(cell: Locator, before: str, what: str) -> None:
    """Wait until the cell's widget output differs from ``before``; fail saying ``what`` was changed if not."""
    try:
        cell.page.wait_for_function(
            f"([cell, before]) => ({_OUTPUT_FINGERPRINT})(cell) !== before",
            arg=[cell.element_handle(), before],
            timeout=WIDGET_UPDATE_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the widget's plot/output did not change within {WIDGET_UPDATE_TIMEOUT_MS / 1000:.0f} s after {what}"
        ) from None
    wait_for_kernel_idle(cell.page)


def figures_painted(cell: Locator) -> list[float]:
    """The share of each matplotlib figure's canvas in the cell that is painted (0 to 1)."""
    return cell.evaluate(_FIGURES_PAINTED)


def wait_for_figures_drawn(cell: Locator, when: str) -> None:
    """Wait until every matplotlib figure in the cell shows a drawn frame; fail saying ``when`` if one stays
    (nearly) blank, as when the browser lost the figure's first frame."""
    try:
        cell.page.wait_for_function(
            f"(cell) => ({_FIGURES_PAINTED})(cell).every(share => share > {MIN_PAINTED})",
            arg=cell.element_handle(),
            timeout=WIDGET_UPDATE_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        shares = ", ".join(f"{share:.1%}" for share in figures_painted(cell))
        raise AssertionError(f"a figure stayed (nearly) blank {when}: painted shares {shares}") from None


def image_count(cell: Locator) -> int:
    """How many images (matplotlib figures) a cell's output shows."""
    return cell.locator(".jp-OutputArea img").count()


def cell_at(notebook: Locator, index: int) -> Locator:
    """The notebook's cell at ``index`` (0-based, as in the .ipynb file)."""
    return notebook.locator(f'.jp-Cell[data-windowed-list-index="{index}"]')


def run_cell(cell: Locator) -> None:
    """Select a code cell, press Shift+Enter, and wait until it has run (its execution count changed)."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".jp-InputArea-editor").click()
    cell.page.keyboard.press("Shift+Enter")
    cell.page.wait_for_function(
        "([prompt, before]) => /\\d/.test(prompt.textContent) && prompt.textContent !== before",
        arg=[prompt.element_handle(), before],
        timeout=WIDGET_UPDATE_TIMEOUT_MS,
    )


def validate(page: Page) -> Locator:
    """Press nbgrader's Validate button; the results dialog once it shows a verdict."""
    page.locator(VISIBLE_NOTEBOOK).get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.locator("#validation-message").wait_for(timeout=VALIDATE_TIMEOUT_MS)
    return dialog
