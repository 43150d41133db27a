"""matplotlib imported without the property lists it writes into its docstrings: a tenth of a second per kernel.

While matplotlib 3.11 is imported it runs ``matplotlib.artist.kwdoc`` for every artist class and every plotting
function that documents artist properties, to write the "Supported properties" list of their docstrings. On our
2-core machines that is about 100 ms of CPU, a third of importing ``matplotlib.figure``, paid by every notebook
that draws an explorer. Trainees never read those lists (they do not call matplotlib; the explorers draw), so
course modules import this module before any other matplotlib module (``# isort: split`` keeps it first) and
matplotlib's docstrings point to the online documentation instead. Nothing but docstrings changes.
``tests/unit/test_fast_matplotlib.py`` checks that every course module that draws gets it first.
"""

import matplotlib.artist

PROPERTIES_NOTE = "Properties: see https://matplotlib.org/stable/api/artist_api.html (not listed in course kernels)."


def _properties_note(artist: object) -> str:
    """Stands in for ``matplotlib.artist.kwdoc``: the link above instead of the generated list."""
    return PROPERTIES_NOTE


matplotlib.artist.kwdoc = _properties_note
