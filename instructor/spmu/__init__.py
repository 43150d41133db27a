"""Instructor pipeline behind the ``spmu`` command: release, collect, autograde, feedback, export, report,
check, demo."""
