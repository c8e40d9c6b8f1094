"""util.net's shared rules: Retry-After, the retry waits, the deadline, and redirect checks."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import httpx
import pytest

from provenance_cli.util import net
from provenance_cli.util.net import BadRedirect, Deadline, DeadlineExceeded, RetryableAnswer, RetryPolicy


def test_retry_after_seconds_and_http_dates() -> None:
    now = 1_800_000_000.0
    assert net.retry_after_seconds("7", now=now) == 7.0
    assert net.retry_after_seconds(" 0 ", now=now) == 0.0
    assert net.retry_after_seconds(formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90)
    assert net.retry_after_seconds(formatdate(now - 90, usegmt=True), now=now) == 0.0  # a date gone by: no wait
    for unreadable in (None, "", "soon", "-5", "1.5", "Fri, 99 Foo 2026"):
        assert net.retry_after_seconds(unreadable, now=now) is None, unreadable


def test_waits_honour_retry_after_with_a_cap_and_never_pass_the_deadline() -> None:
    policy = RetryPolicy(retries=3, backoff=0.0, max_wait=60.0)
    roomy = Deadline(1000)
    assert policy.wait(1, "5", roomy) == 5.0
    assert policy.wait(1, "3600", roomy) == 60.0  # capped
    assert policy.wait(1, formatdate(time.time() + 30, usegmt=True), roomy) == pytest.approx(30, abs=1.5)
    assert policy.wait(4, "5", roomy) is None  # three retries made: no fourth
    assert policy.wait(1, "5", Deadline(4)) is None  # the wait would outlast the deadline: give up now


def test_backoff_doubles_with_jitter_within_bounds() -> None:
    policy = RetryPolicy(retries=5, backoff=1.0, max_wait=6.0)
    roomy = Deadline(1000)
    for attempts, step in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 6.0), (5, 6.0)):
        waits = [policy.wait(attempts, None, roomy) for _ in range(200)]
        assert all(w is not None and step / 2 <= w <= step for w in waits), (attempts, min(waits), max(waits))  # type: ignore[operator]
        assert len(set(waits)) > 1  # jittered, not one fixed value
    hinted = [policy.wait(1, "2", roomy) for _ in range(100)]
    assert all(h is not None and 2.0 <= h <= 3.0 for h in hinted)  # Retry-After plus at most a second of jitter


def test_retrying_stops_at_the_deadline_and_reports_the_last_answer() -> None:
    calls: list[float] = []

    async def always_busy() -> str:
        calls.append(time.monotonic())
        raise RetryableAnswer(503, "0", answer="last")

    with pytest.raises(RetryableAnswer) as caught:
        asyncio.run(net.retrying(always_busy, RetryPolicy(retries=2, backoff=0.0), Deadline(10)))
    assert caught.value.attempts == 3 and caught.value.answer == "last" and len(calls) == 3

    async def slow() -> str:
        await asyncio.sleep(5)
        return "never"

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="within the 0.2 s deadline"):
        asyncio.run(net.retrying(slow, RetryPolicy(), Deadline(0.2)))
    assert time.monotonic() - started < 1


def test_transient_failures() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/")
    lists, pages = RetryPolicy(retry_unreachable=True), RetryPolicy(retry_unreachable=False)
    reset = httpx.ReadError("reset", request=request)
    refused = httpx.ConnectError("refused", request=request)
    slow = httpx.ReadTimeout("slow", request=request)
    assert net.is_transient(reset, lists) and net.is_transient(reset, pages)
    assert net.is_transient(refused, lists) and not net.is_transient(refused, pages)
    assert net.is_transient(slow, lists) and not net.is_transient(slow, pages)
    assert not net.is_transient(httpx.DecodingError("bad gzip", request=request), lists)
    assert not net.is_transient(ValueError("x"), lists)


def test_deadline_runs_out_and_can_be_extended() -> None:
    deadline = Deadline(0.05)
    time.sleep(0.06)
    assert deadline.remaining() == 0.0
    deadline.extend(5)
    assert 4.5 < deadline.remaining() <= 5


@pytest.mark.parametrize(
    ("status", "location", "target", "failure"),
    [
        (200, None, None, None),
        (304, None, None, None),
        (302, "/next#part", "http://127.0.0.1/next", None),
        (301, "https://mirror.example/x", "https://mirror.example/x", None),
        (302, "", None, "redirects"),
        (307, None, None, "redirects"),
        (302, "   ", None, "redirects"),
        (302, "javascript:alert(1)", None, "scheme"),
        (302, "data:text/html,<p>x</p>", None, "scheme"),
        (303, "file:///etc/passwd", None, "scheme"),
        (308, "ftp://127.0.0.1/x", None, "scheme"),
        (302, "http://[::1", None, "invalid"),
    ],
)
def test_redirect_targets_are_checked(status, location, target, failure) -> None:
    if failure is None:
        assert net.redirect_target("http://127.0.0.1/start", status, location) == target
    else:
        with pytest.raises(BadRedirect) as caught:
            net.redirect_target("http://127.0.0.1/start", status, location)
        assert caught.value.failure == failure


def test_redirect_count_names_a_loop() -> None:
    net.count_redirect(["a", "b"], "a", 5)  # a site may send us back once (a cookie set): allowed
    with pytest.raises(BadRedirect, match="^more than 2 redirects$"):
        net.count_redirect(["a", "b", "c"], "d", 2)
    with pytest.raises(BadRedirect, match="more than 2 redirects; a loop: it redirects back to a"):
        net.count_redirect(["a", "b", "c"], "a", 2)
    long = "http://x/" + "y" * 500
    with pytest.raises(BadRedirect) as caught:
        net.count_redirect([long] * 3, long, 2)
    assert len(str(caught.value)) < 300  # a megabyte data: URL never fills the terminal
