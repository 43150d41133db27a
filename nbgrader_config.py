"""nbgrader configuration for the course; run nbgrader (or spmu) from this folder."""
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

COURSE_ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "spmu-police-training"
c.CourseDirectory.root = str(COURSE_ROOT)
# Trainees' work is personal data: every step folder and the gradebook live under the git-ignored grading/.
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = f"sqlite:///{COURSE_ROOT / 'grading' / 'gradebook.db'}"
# Instructor-only files kept beside the source notebooks never go into release/.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "simulated_mistakes.toml"]

# Per-cell timeout (seconds). Our notebooks' slowest cell runs in well under 10 s on 2 cores.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
