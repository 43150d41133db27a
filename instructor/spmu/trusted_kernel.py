"""The grader's trusted kernels, where test cells run: forked in a sandbox of their own.

A trusted kernel never runs trainee code, but the values its tests handle come from a trainee. So it runs in a
sandbox like the trainees' (:class:`~spmu.forked_kernel.ForkServer`: allow-list mounts, no network, its own
limits), but never the same one: a trainee's code could otherwise signal it or read its connection key. It
reaches the trainee's kernel only through the grader's relay (:mod:`spmu.answer_relay`). One such sandbox per
grading process, beside the trainees' one.
"""

from __future__ import annotations

import atexit
from pathlib import Path

from spmu.forked_kernel import ForkServer
from spmu.limits import Limits

_server: ForkServer | None = None
_key: tuple = ()


def trusted_server(limits: Limits, hidden: list[Path]) -> ForkServer:
    """This process's sandbox for trusted kernels (started on first use, restarted if it stopped or the limits
    changed)."""
    global _server, _key
    key = (limits, tuple(hidden))
    if _server is not None and (_key != key or not _server.alive()):
        discard_trusted_server(_server)
    if _server is None:
        _server, _key = ForkServer(limits.memory_mb, hidden, limits), key
    return _server


@atexit.register
def discard_trusted_server(server: ForkServer | None = None) -> None:
    """Stop a trusted kernels' sandbox (default: this process's), so the next test run gets a fresh one."""
    global _server
    server = server or _server
    if server is not None:
        server.close()
    if server is _server:
        _server = None
