"""Module 2, financial investigation: case files of a procurement fraud and its laundering, widgets, plots.

No reference solutions here: widgets take the trainee's own functions as arguments.
"""
