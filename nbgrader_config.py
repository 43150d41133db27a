"""nbgrader configuration for the course; run nbgrader (or spmu) from this folder."""
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

COURSE_ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "spmu-police-training"
c.CourseDirectory.root = str(COURSE_ROOT)
# Trainees' work is personal data: every step folder and the gradebook live under the git-ignored grading/.
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
# $SPMU_DB_URL (e.g. a PostgreSQL gradebook on the course hub) wins, for spmu, plain nbgrader and the formgrader
c.CourseDirectory.db_url = (
    os.environ.get("SPMU_DB_URL") or f"sqlite:///{COURSE_ROOT / 'grading' / 'gradebook.db'}"
)
# Instructor-only files kept beside the source notebooks never go into release/.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "simulated_mistakes.toml"]

# Per-cell timeout (seconds). Our notebooks' slowest cell runs in well under 10 s on 2 cores.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# nbgrader's exchange (release/fetch/submit on the course hub, $SPMU_EXCHANGE set by hub/jupyterhub_config.py); on
# one machine it points into the private grading/ area so the formgrader does not warn about /srv/nbgrader/exchange.
EXCHANGE = Path(os.environ.get("SPMU_EXCHANGE") or COURSE_ROOT / "grading" / "exchange")
try:
    EXCHANGE.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only copy of the course: nbgrader then only warns
    pass
c.Exchange.root = str(EXCHANGE)

# Plain `nbgrader generate_feedback` shows hidden tests (nbgrader#917): run the same redaction as `spmu feedback`
# first, so feedback never quotes a hidden test or a mark scheme whichever tool made it. Trainees' markdown and
# outputs may hold scripts: NoActiveContent removes anything that could run in a browser, in feedback (after the
# redaction) and in the formgrader's view of a submission (the formgrader builds HTMLExporter from this file).
from spmu.feedback import FEEDBACK_PREPROCESSORS
from spmu.safe_html import NoActiveContent

c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
c.HTMLExporter.preprocessors = [NoActiveContent]
c.GenerateFeedback.HTMLExporter.preprocessors = []  # feedback runs it after the redaction instead

# --- grading limits (spmu autograde) ---
# Read by `spmu autograde` (instructor/spmu/grading/limits.py); plain `nbgrader autograde` uses c.Execute.timeout above.
# Per cell: the slowest cell of our source notebooks took 3.8 s in the sandbox on 2 shared cores (2026-11-28),
# so 30 s leaves about 8x headroom for a slow but honest answer, while a hang costs at most 30 s per re-run.
c.GradingLimits.cell_timeout_s = 30.0
# Per notebook, all re-runs included (each disabled cell means one more run from the top): bounds a cohort run.
c.GradingLimits.notebook_timeout_s = 300.0
# Address space per kernel (MB): running our source notebooks in the sandbox peaked at 335-447 MB mapped
# (103-156 MB resident), measured on 2026-11-28; 1 GB leaves over 2x headroom for an honest answer,
# and 2 workers x 1 GB fits a small 4 GB machine.
c.GradingLimits.memory_mb = 1024
# All cell outputs of one notebook (bytes): our graded source notebooks produce at most 7.2 kB; 1 MB leaves room
# for a trainee's print-debugging while a print loop cannot fill the grader's memory.
c.GradingLimits.max_output_bytes = 1_000_000
# "auto": bubblewrap when usable, else a loud warning and no sandbox; "bwrap" refuses to run without it.
c.GradingLimits.sandbox = "auto"
# A submitted notebook file larger than this (bytes) is not opened and is recorded as invalid.
c.GradingLimits.max_notebook_bytes = 20_000_000
# The whole sandbox of one grading worker (MB): the fork server (about 200 MB resident after importing pandas,
# matplotlib and the course), the kernel, anything it started (detached or not) and its tmpfs files together.
# Enforced by the sandbox's control group where the machine allows one (see tests/hostile/README.md).
c.GradingLimits.sandbox_memory_mb = 1536
# Processes and threads in one sandbox: an IPython kernel runs about 10 threads, the fork server a few; 128
# leaves room for a trainee's subprocess while a fork bomb stops at the limit (control group, else RLIMIT_NPROC).
c.GradingLimits.max_processes = 128
# CPU time per second for one sandbox (1.0 = one core): a CPU hog in one sandbox cannot starve the other
# workers' kernels (control group CPU quota; not enforced without one).
c.GradingLimits.cpus = 1.0
# Size (MB) of each writable folder of the sandbox (work folder, /tmp, /dev/shm: size-limited tmpfs, counted in
# the sandbox's memory) and the largest file a kernel may write.
c.GradingLimits.disk_mb = 256
