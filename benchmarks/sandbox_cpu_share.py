"""Does a CPU hog in one sandbox slow down a trainee graded beside it? (per-sandbox CPU quota on and off)

Two sandboxes, as two grading workers have: in one, a trainee's cell keeps N busy processes running; in the
other, a bystander's cell runs a fixed amount of work. Prints the bystander's wall time alone, beside the hog
with the sandboxes' control groups (CPU quota ``cpus`` each), and beside the hog without control groups. The hog's
processes each start a session of their own: without a control group, Linux's scheduler autogroups (one per
session) would otherwise already bundle a kernel's processes into one scheduling entity.

    python benchmarks/sandbox_cpu_share.py [--hogs 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "hostile"))

from sandboxed import Kernel
from spmu import forked_kernel
from spmu.forked_kernel import ForkServer
from spmu.limits import Limits

WORK = "import time\nt = time.monotonic()\nsum(i * i for i in range(6_000_000))\nprint(time.monotonic() - t)"
HOG = """
import multiprocessing, os, time
def spin(seconds):
    os.setsid()  # a session of its own: without a control group, Linux's autogroup then counts it apart
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
workers = [multiprocessing.Process(target=spin, args=({seconds},)) for _ in range({hogs})]
for w in workers: w.start()
for w in workers: w.join()
"""


def bystander_seconds(hogs: int, rounds: int, with_hog: bool) -> list[float]:
    limits = Limits(cell_timeout_s=120)
    servers = [ForkServer(limits.memory_mb, [], limits) for _ in range(2)]
    try:
        bystander, attacker = Kernel(servers[0]), Kernel(servers[1])
        times = []
        for _ in range(rounds):
            hog = None
            if with_hog:
                hog = threading.Thread(target=attacker.run, args=(HOG.format(seconds=15, hogs=hogs), 60))
                hog.start()
                time.sleep(2)  # the hog's processes are all running
            times.append(float(bystander.run(WORK, timeout=120)))
            if hog is not None:
                hog.join()
        bystander.stop()
        attacker.stop()
        return times
    finally:
        for server in servers:
            server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = {"alone": bystander_seconds(args.hogs, args.rounds, with_hog=False)}
    results["beside hog, cgroup quota"] = bystander_seconds(args.hogs, args.rounds, with_hog=True)
    forked_kernel.cgroup_problem = lambda: "switched off for this comparison"
    results["beside hog, no cgroup"] = bystander_seconds(args.hogs, args.rounds, with_hog=True)
    for name, times in results.items():
        print(
            f"{name:28} median {statistics.median(times):5.2f} s  {json.dumps([round(t, 2) for t in times])}"
        )


if __name__ == "__main__":
    main()
