"""Trafficking in human beings module: a synthetic labour-exploitation case, its case files, plots and widgets.

The notebooks in ``source/trafficking_in_human_beings/`` import the case loaders from
:mod:`courses.trafficking_in_human_beings.case` and the explorers from
:mod:`courses.trafficking_in_human_beings.widgets`. No graded function is implemented here: every explorer takes
the trainee's own functions as arguments.
"""

MODULE = "trafficking_in_human_beings"
