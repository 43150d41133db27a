"""Module 1, crime scene: the synthetic break-in case at 14 Larch Row, its case files, widgets and plots.

Notebooks import the loaders from :mod:`courses.crime_scene.case` and the interactive apps from
:mod:`courses.crime_scene.widgets`. No reference solution of a graded function lives here.
"""

from courses.crime_scene.case import (
    evidence_path,
    load_bloodstains,
    load_body_examination,
    load_custody_log,
    load_sketch_measurements,
)

MODULE = "crime_scene"

__all__ = [
    "MODULE",
    "evidence_path",
    "load_bloodstains",
    "load_body_examination",
    "load_custody_log",
    "load_sketch_measurements",
]
