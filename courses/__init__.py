"""Police training course package (the trainee side): case data, loaders and explorers for the notebooks.

Notebooks import from the module packages (``courses.crime_scene`` ...). This package holds no reference
solutions: widgets that visualise a graded function take the trainee's own function as an argument.
"""

from courses.data import CaseFileError, case_path, load_csv, read_bytes, read_text, verify_manifest

__version__ = "0.1.0"
MODULES = ("crime_scene", "financial_investigation", "cybercrime", "trafficking_in_human_beings")

__all__ = ["MODULES", "CaseFileError", "case_path", "load_csv", "read_bytes", "read_text", "verify_manifest"]
