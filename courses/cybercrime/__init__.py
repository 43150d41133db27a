"""Cybercrime module: a synthetic phishing-to-server-compromise incident, its case files, plots and widgets.

The notebooks in ``source/cybercrime/`` import the case loaders from :mod:`courses.cybercrime.case` and the
widgets from :mod:`courses.cybercrime.widgets`. No graded function is implemented here: every widget takes the
trainee's own function as an argument.
"""

MODULE = "cybercrime"
