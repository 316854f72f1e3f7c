"""``--clock-at=ISO8601``: run the tests with the clock moved to that instant, still ticking.

A test that builds entries relative to the clock ("an hour ago") and reads them by local day
passes at noon and fails just after midnight, when an hour ago was yesterday. Such a test
should freeze time; this option is how CI proves that none is left: ``make test-clock`` runs
the triage and notify tests just after and just before local midnight of the test patients'
zone. The move is made with time-machine for this process only, so it leaves out tests that
start other processes (Celery workers, servers: ``-m "not integration"``), which would run on
the real clock. Tests that travel themselves (time_machine.travel) still do, from there.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

_TRAVELLER = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-at",
        metavar="ISO8601",
        default=None,
        help=(
            "Move the clock to this instant (with a UTC offset, e.g. 2026-12-07T00:05:00+00:00) "
            "for the whole run; it keeps ticking from there."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("clock_at", default=None)
    if not value:
        return
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--clock-at: {value!r} is not an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise pytest.UsageError(f"--clock-at: {value!r} needs a UTC offset")
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("clock_at", default=None)
    return f"clock moved to {value} (ticking)" if value else None
