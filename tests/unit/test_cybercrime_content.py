"""The cybercrime notebooks' worked examples hold what their text says: each figure is recomputed here."""

import ast
import json
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "source" / "cybercrime"


def cell_source(notebook: str, cell_id: str) -> str:
    """The source text of one cell of a cybercrime source notebook, found by its cell id."""
    cells = json.loads((SOURCE / notebook).read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c.get("id") == cell_id]
    return "".join(cell["source"])


def assigned_literal(code: str, name: str):
    """The literal value assigned to ``name`` at the top level of a code cell."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(name)


def _organisational_domain(domain: str) -> str:
    # Every domain in the course is under example.com/.net/.org, whose organisational domain (RFC 7489 §3.2) is
    # the last two labels; a public-suffix list would be needed for real domains such as example.co.uk.
    return ".".join(domain.lower().split(".")[-2:])


def test_phishing_worked_example_dmarc_result_follows_from_spf_and_dkim_alignment():
    example = assigned_literal(cell_source("02_phishing_headers.ipynb", "ex2-worked-example"), "EXAMPLE")
    header = " ".join(
        re.search(r"^Authentication-Results:(.*?)\n(?=\S)", example, re.MULTILINE | re.DOTALL)[1].split()
    )
    results = dict(re.findall(r"\b(spf|dkim|dmarc)=(\w+)", header))
    identities = dict(re.findall(r"\b(smtp\.mailfrom|header\.d|header\.from)=([\w.-]+)", header))
    from_domain = _organisational_domain(identities["header.from"])
    spf_aligned = (
        results["spf"] == "pass" and _organisational_domain(identities["smtp.mailfrom"]) == from_domain
    )
    dkim_aligned = results["dkim"] == "pass" and _organisational_domain(identities["header.d"]) == from_domain
    # RFC 7489 §4.2: DMARC passes exactly when SPF or DKIM passes for an aligned domain.
    assert results["dmarc"] == ("pass" if spf_aligned or dkim_aligned else "fail"), header
    text = cell_source("02_phishing_headers.ipynb", "ex2-task-auth")
    assert "SPF `pass`, but for\n`bounces.example.org`" in text and "bounces.example.org" in example
