"""Run one command; write its wall time, CPU time, peak memory and exit status as JSON.

    python bench/measure.py RESULT.json COMMAND [ARG...]

The command is forked from this small process, not from the benchmark itself: on Linux a
child's ``ru_maxrss`` is at least the resident size of the process it was forked from, so
children of a big parent would all report the parent's size. The time runs from the fork to
the end of ``os.wait4`` (the command's whole life, start-up and exit included).
"""

import json
import os
import sys
import time


def main() -> int:
    result, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the command
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w", encoding="utf-8") as handle:
        json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                   "max_rss_kb": usage.ru_maxrss, "exit_code": code}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
