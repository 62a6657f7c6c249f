"""The checks of the official-client scripts (tests/interop/interop_client.py, and the
application's tests/new-user/client.py, which run.sh points here with PYTHONPATH): one line per
check passed, and the first failure ends the run.
"""

from __future__ import annotations

import sys
from typing import Callable


class CheckFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"  ok: {what}")


def run_checks(checks: Callable[[], None], passed: str) -> int:
    """Runs `checks`; the exit status: 0 after printing `passed`, 1 after the failed check."""
    try:
        checks()
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print(passed)
    return 0
