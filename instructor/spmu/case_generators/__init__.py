"""Case-file generators, one module per course module (instructor side: never installed for trainees).

``python -m spmu.case_generators.<module>`` rewrites ``courses/<module>/data/`` and its ``MANIFEST.sha256``.
The generators name every planted record, so they live here and not in the trainee package ``courses``.
"""
