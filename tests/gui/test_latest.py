"""The app's one "latest request wins" helper (gui/latest.py): only the newest request's
outcome is used, every job is settled, a failure is delivered, not raised."""

from __future__ import annotations

import threading

from emrwriter.gui.latest import Latest, LatestJobs


def test_tickets_make_earlier_requests_stale():
    latest = Latest()
    assert latest.current == 0
    first, second = latest.next(), latest.next()
    assert (first, second) == (1, 2) and latest.current == 2
    assert latest.is_latest(second) and not latest.is_latest(first)


def test_only_the_latest_job_is_delivered_and_every_job_is_settled(qtbot):
    jobs = LatestJobs()
    release = threading.Event()
    settled, finished = [], []
    jobs.settled.connect(lambda ticket, result, error: settled.append((ticket, result)))
    jobs.finished.connect(finished.append)
    old = jobs.start(lambda: release.wait(10) and "old")
    new = jobs.start(lambda: "new")
    assert jobs.busy() and jobs.latest_running()
    qtbot.waitUntil(lambda: finished == ["new"], timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: len(settled) == 2, timeout=10_000)
    assert sorted(settled) == [(old, "old"), (new, "new")]
    assert finished == ["new"] and not jobs.busy()


def test_a_failure_reaches_the_failed_signal(qtbot):
    jobs = LatestJobs()

    def broken():
        raise ValueError("no such thing")

    with qtbot.waitSignal(jobs.failed, timeout=10_000) as blocker:
        jobs.start(broken)
    assert isinstance(blocker.args[0], ValueError)


def test_superseded_results_are_settled_but_not_used(qtbot):
    jobs = LatestJobs()
    finished = []
    jobs.finished.connect(finished.append)
    with qtbot.waitSignal(jobs.settled, timeout=10_000):
        jobs.start(lambda: "stale")
        jobs.supersede()  # e.g. the doctor typed again before the check ended
    assert finished == [] and not jobs.busy()
    jobs.shutdown()
