"""What happens to a submission, from collection to grade (the `spmu autograde` engine).

Read top to bottom; each step names the module that does it.

1. **Collected** (:mod:`spmu.collect`): ``grading/submitted/<trainee>/<assignment>/`` holds the trainee's
   notebooks; the submission time is the collection time, never a file the trainee wrote.
2. **Read defensively** (:mod:`.repair`): a file that is not a notebook is ``invalid_submission``; a damaged
   one is repaired against the release (answer and test cells restored from the instructor's copy) and noted.
3. **Answer cells run in a sandbox** (:mod:`.sandbox_run`, :mod:`.forked_kernel`, :mod:`.sandbox`,
   :mod:`.sandbox_cgroup`, :mod:`.sandbox_forkserver`): the trainee's cells and the notebook's read-only cells run
   in a kernel forked inside a bubblewrap sandbox that mounts only what a kernel needs (an allow-list), with
   per-cell time, memory, output, process, CPU and disk limits (:mod:`.limits`). A cell that hangs, crashes or
   blows up is disabled and the notebook re-run, so it costs only the tests that need it.
4. **Tests run in a trusted kernel** (:mod:`.trusted_tests`, :class:`.forked_kernel.ServerSlot`): the test cells, visible and
   hidden, taken from the instructor's source, run in a kernel of the grader's that never executes trainee code.
   Every name a test takes from an answer cell is a proxy (:mod:`.answer_calls`): a call crosses to the sandbox
   and back as typed data (:mod:`.crossing`: no pickle, no eval) through the grader's relay
   (:mod:`.answer_relay`). A trainee can change what their own function returns, never what a test sees or does.
5. **Recorded** (:mod:`.autograde`): nbgrader's own ``Autograde`` converter (its execution step removed) writes
   ``grading/autograded/`` and the gradebook, one submission at a time under a lock, so the formgrader,
   feedback and export work unchanged and manual grades survive a re-grade. The status (``graded``,
   ``timed_out``, ``memory_exceeded``, ``grader_error``, ...) and notes go to the gradebook and ``grades.csv``.

:func:`grade_cohort` runs steps 2-5 for every collected trainee in parallel workers; :func:`grade_submission`
for one.
"""

from .autograde import (
    GradeResult,
    grade_cohort,
    grade_submission,
    load_results,
    save_result,
    status_path,
    submitted_trainees,
)
from .limits import Limits

__all__ = [
    "GradeResult",
    "Limits",
    "grade_cohort",
    "grade_submission",
    "load_results",
    "save_result",
    "status_path",
    "submitted_trainees",
]
