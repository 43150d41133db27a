"""No active content from a trainee's notebook in HTML that instructors or trainees open.

Feedback pages and the formgrader's view of a submission are rendered by nbconvert's ``HTMLExporter``; the
formgrader serves them on the Jupyter origin of the instructor's (unsandboxed) server, so a ``<script>``,
an ``onerror=`` or a ``javascript:`` link written by a trainee would run with the instructor's rights.
:class:`NoActiveContent` is an nbconvert preprocessor that, before rendering:

- renders markdown cells with nbconvert's own markdown renderer and cleans the HTML with bleach (an
  allow-list of tags and attributes; links only to http(s), mailto or a place on the page; images only as
  PNG, JPEG or GIF data or files beside the notebook, so nothing is loaded from elsewhere), and breaks the
  TeX macros MathJax would turn into links, styles or loads (``\\href``, ``\\class``, ``\\require``...);
- keeps of each output only what cannot run: text, PNG/JPEG images (with numeric sizes), LaTeX (escaped by
  the template) and cleaned HTML; drops JavaScript, SVG, widget views and other rich types (an output left
  with nothing to show says so in plain text), and drops the notebook's widget state;
- escapes the nbgrader grade id and cleans the comment, which the templates print without escaping.

nbgrader's formgrader builds ``HTMLExporter(config=...)`` from the course configuration, so
``c.HTMLExporter.preprocessors = [NoActiveContent]`` in ``nbgrader_config.py`` reaches it; feedback runs it
after the hidden-test redaction (see :mod:`spmu.feedback`).
"""

from __future__ import annotations

import html
import re

import bleach
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
    ]
)
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
IMAGE_FILE = re.compile(
    r"(?![/\\])(?!.*\.\.)[\w./ -]+\.(png|jpe?g|gif)", re.IGNORECASE
)  # beside the notebook
LINK_SCHEMES = ("http:", "https:", "mailto:")
DROP_WITH_CONTENT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# MathJax (loaded by the feedback and formgrade templates) turns these TeX macros into links, CSS or loads
MATH_MACROS = re.compile(r"\\(href|url|class|cssId|style|require|unicode|HTML|data)(?![A-Za-z])")
KEPT_OUTPUT_TYPES = ("text/plain", "text/latex", "image/png", "image/jpeg")
UNSAFE_OUTPUT_NOTE = "(output not shown: {types} can run code in the browser)"


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Attributes kept by the cleaner: presentation, links that open another site or a place on the page,
    and images embedded as data or stored beside the notebook (nothing loaded from elsewhere)."""
    if name in ("title", "align"):
        return True
    if name == "class" and tag in ("span", "div", "pre", "code"):
        return True  # syntax highlighting
    if tag in ("td", "th") and name in ("colspan", "rowspan"):
        return True
    if tag == "ol" and name == "start":
        return True
    url = "".join(ch for ch in value if ord(ch) > 0x20)  # browsers ignore tabs and newlines in URLs
    if tag == "a" and name == "href":
        return url.lower().startswith(LINK_SCHEMES) or url.startswith("#")
    if tag == "img" and name in ("alt", "width", "height"):
        return True
    if tag == "img" and name == "src":
        return IMAGE_DATA.fullmatch(url) is not None or IMAGE_FILE.fullmatch(url) is not None
    return False


def _inert_math(text: str) -> str:
    """``text`` with the TeX macros MathJax would turn into links, styles or loads broken (a zero-width space
    after the backslash: MathJax shows an error, the text reads the same)."""
    return MATH_MACROS.sub(lambda match: "\\\u200b" + match.group(1), text)


CLEANER = bleach.sanitizer.Cleaner(
    tags=TAGS,
    attributes=_allowed_attribute,
    protocols=frozenset({"http", "https", "mailto", "data"}),  # data: passes _allowed_attribute on img only
    strip=True,
    strip_comments=True,
)


def clean_html(fragment: str) -> str:
    """``fragment`` with everything that could run removed (script and style elements with their text)."""
    return _inert_math(CLEANER.clean(DROP_WITH_CONTENT.sub("", fragment)))


def markdown_as_safe_html(source: str, attachments: dict | None = None) -> str:
    """A markdown cell's source rendered as nbconvert renders it, cleaned, as one HTML block.

    The result is one line inside a ``<div>``, so the template's own markdown pass keeps it as it is.
    """
    renderer = IPythonRenderer(escape=False, attachments=attachments or {})
    rendered = clean_html(MarkdownWithMath(renderer=renderer).render(source))
    return "<div>" + rendered.replace("\r", "").replace("\n", "&#10;") + "</div>"


def safe_outputs(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Outputs reduced to what cannot run code in a browser (see the module docstring)."""
    for output in outputs:
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue  # stream and error text is escaped by the templates
        data = output.get("data", {})
        removed = sorted(key for key in data if key not in KEPT_OUTPUT_TYPES and key != "text/html")
        kept = {key: data[key] for key in KEPT_OUTPUT_TYPES if isinstance(data.get(key), str)}
        if "text/latex" in kept:
            kept["text/latex"] = _inert_math(kept["text/latex"])
        if "text/markdown" in data and "text/html" not in data and isinstance(data["text/markdown"], str):
            kept["text/html"] = markdown_as_safe_html(data["text/markdown"])
        if isinstance(data.get("text/html"), str) and not ({"image/png", "image/jpeg"} & kept.keys()):
            kept["text/html"] = clean_html(data["text/html"])  # an image, when there is one, shows instead
        if not kept:
            kept["text/plain"] = UNSAFE_OUTPUT_NOTE.format(types=", ".join(removed) or "this output")
        output["data"] = kept
        output["metadata"] = _image_sizes(output.get("metadata", {}))
    return outputs


def _image_sizes(metadata: dict) -> dict:
    """Only the numeric width and height of images (templates print them as unquoted attributes)."""
    sizes = {}
    for mimetype in ("image/png", "image/jpeg"):
        given = metadata.get(mimetype)
        if isinstance(given, dict):
            numbers = {
                key: given[key]
                for key in ("width", "height")
                if isinstance(given.get(key), int | float) and not isinstance(given.get(key), bool)
            }
            if numbers:
                sizes[mimetype] = numbers
    return sizes


class NoActiveContent(Preprocessor):
    """nbconvert preprocessor: remove anything that could run in the browser from a notebook to be shown."""

    enabled = Bool(
        True, help="On wherever it is listed (nbgrader registers converter steps as they are)."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb.metadata.pop("widgets", None)  # widget state makes the page load widget code from a CDN
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "markdown":
            cell.source = markdown_as_safe_html(cell.source, cell.get("attachments"))
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
        elif cell.cell_type == "code":
            cell.outputs = safe_outputs(cell.get("outputs", []))
            if not isinstance(cell.get("execution_count"), int):
                cell.execution_count = None
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        if isinstance(nbgrader, dict):  # the templates print these two without escaping
            if isinstance(nbgrader.get("grade_id"), str):
                nbgrader["grade_id"] = html.escape(nbgrader["grade_id"])
            if isinstance(nbgrader.get("comment"), str):
                nbgrader["comment"] = markdown_as_safe_html(nbgrader["comment"])
        return cell, resources
