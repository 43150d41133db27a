"""Settings for every IPython kernel of the course venv: ``make kernel-config`` (run by ``make lab`` and
``make test``) copies this file to ``.venv/etc/ipython/``, where IPython reads it at each kernel start
(trainees' kernels in ``make lab``, the test suite's, the graders' and the benchmarks').

Both lines run before the first cell, in the trainee's namespace; they are statements, so they leave no name
(``_``, ``Out``) there. Together they take 0.12-0.15 s of CPU off a notebook's kernel (``benchmarks/RESULTS.md``,
round 4):

- One OpenBLAS thread. ``import numpy`` (through pandas) otherwise starts one BLAS thread per core, and each
  spins about 0.1 s of CPU before it sleeps: time taken from the kernel on a 2-core machine. The course does no
  linear algebra large enough to gain from more threads.
- Fewer garbage-collector passes while the import cell loads pandas, matplotlib, networkx and ipywidgets (about
  400,000 long-lived objects): the objects the kernel holds at start are frozen (never scanned again) and the
  youngest generation is collected every 10,000 allocations instead of every 700. Cyclic garbage is still
  collected, only in larger batches.
"""

c = get_config()  # noqa: F821 (IPython defines it while it reads a config file)
c.IPKernelApp.exec_lines = [
    "if 'OPENBLAS_NUM_THREADS' not in __import__('os').environ: __import__('os').environ['OPENBLAS_NUM_THREADS'] = '1'",
    "__import__('gc').freeze(); __import__('gc').set_threshold(10_000, 10, 10)",
]
