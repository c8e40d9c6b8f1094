"""provcheck fill: one question at a time, conditions applied as answers come in, saved after each answer."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture
def scaffold(cli, tmp_path: Path) -> Path:
    """A fresh dossier from provcheck init, every question present and unanswered."""
    result = cli("init", "Fill Test AI", "-o", "fill.yaml")
    assert result.returncode == 0, result.output
    return tmp_path / "fill.yaml"


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_conditions_apply_as_answers_come_in_and_each_answer_is_saved(cli, scaffold: Path) -> None:
    before = scaffold.read_text(encoding="utf-8")
    typed = "\n".join(
        [
            "1",  # extraction.weights_publicly_available: yes (all weights public) ...
            "",  # ... no evidence URL
            "2",  # extraction.buyer_stores_outputs_for_training: no; the vendor's extraction defences no longer apply
            "",  # extraction.incident_notification_hours: skipped for this session
            "maybe",  # retention.prompt_retention_days: refused, asked again
            "30",
            "https://fill-test.example/data-usage",
            "Data usage policy",
            "2",  # public_document
        ]
    )
    result = cli("fill", scaffold, "--as-of", "2026-07-01", stdin=(typed + "\n").encode())
    assert result.returncode == 0, result.output
    shown = [line.split()[0] for line in result.stdout.splitlines() if line.startswith(("extraction.", "retention."))]
    assert shown == [
        "extraction.weights_publicly_available",
        "extraction.buyer_stores_outputs_for_training",
        "extraction.incident_notification_hours",
        "retention.prompt_retention_days",
        "retention.zero_data_retention",
    ], "public weights skip the vendor's extraction defences; 'no' skips the buyer's legal review"
    assert "not accepted: expected a number of days or 'undisclosed', got 'maybe'" in result.stdout
    assert "Stopped; 3 answer(s) saved." in result.stdout

    after = scaffold.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    assert "  extraction.weights_publicly_available:\n    answer: yes\n" in after
    assert "  retention.prompt_retention_days:\n    answer: 30\n" in after
    assert "https://fill-test.example/data-usage" in after and "kind: public_document" in after
    report = cli("assess", scaffold, "--as-of", "2026-07-02", "--no-screen", "--no-evidence", "-f", "json").json()
    answers = {a["question_id"]: a for a in report["answers"]}
    assert answers["retention.prompt_retention_days"]["answer"] == "30 days"
    assert answers["retention.prompt_retention_days"]["as_of"] == "2026-07-01"
    assert "extraction.account_verification" not in answers, "no longer applies once the weights are public"


def test_q_stops_and_nothing_left_says_so(cli, write) -> None:
    path = write(
        "small.yaml",
        "provcheck: 2\nvendor:\n  name: Small\n  legal_name: Small Ltd\nassessment:\n  assessor: A\n  date: 2026-07-01\nanswers:\n",
    )
    stopped = cli("fill", path, "--audience", "buyer", stdin=b"q\n")
    assert stopped.returncode == 0, stopped.output
    assert "extraction.buyer_stores_outputs_for_training" in stopped.stdout and "Stopped; 0 answer(s) saved." in stopped.stdout
    assert "answered by the vendor" not in stopped.stdout, "--audience buyer asks only the buyer's questions"
    skipped = cli("fill", path, "--audience", "vendor", stdin=b"\n" * 200)
    assert skipped.returncode == 0, skipped.output
    assert "Nothing left to answer" in skipped.stdout and "skipped this time" in skipped.stdout
    assert path.read_text(encoding="utf-8").endswith("answers:\n"), "skipping writes nothing"


def _provcheck() -> str:
    script = Path(sys.executable).with_name("provcheck")
    if not script.exists():
        pytest.skip("the provcheck console script is not installed beside this Python")
    return str(script)


def _as_at_a_terminal() -> None:
    """Ctrl-C as a terminal user has it: a test run started in the background (``cmd &``) ignores SIGINT, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_fill_through_a_terminal_is_interrupted_and_resumes_at_the_fourth_question(scaffold: Path) -> None:
    """The real console script in a pseudo-terminal: three answers, Ctrl-C, then it starts again at the fourth."""
    pexpect = pytest.importorskip("pexpect")
    from support.cli import cli_env

    env = cli_env(columns=120)
    started = time.monotonic()
    child = pexpect.spawn(
        _provcheck(), ["fill", str(scaffold)], cwd=str(scaffold.parent), env=env, encoding="utf-8", timeout=30, preexec_fn=_as_at_a_terminal
    )
    for question, answer in (
        ("extraction.weights_publicly_available", "2"),
        ("extraction.account_verification", "1"),
        ("extraction.rate_anomaly_detection", "1"),
    ):
        child.expect_exact(question)
        child.expect_exact("answer (Enter skips, q stops): ")
        child.sendline(answer)
        child.expect_exact("evidence URL (Enter for none): ")
        child.sendline("")
        child.expect_exact(f"saved {question}")
    child.expect_exact("extraction.proxy_reseller_detection")
    child.expect_exact("answer (Enter skips, q stops): ")
    child.sendintr()
    child.expect_exact("Stopped; 3 answer(s) saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    text = scaffold.read_text(encoding="utf-8")
    assert "  extraction.account_verification:\n    answer: verified_identity\n" in text
    assert "  extraction.proxy_reseller_detection:\n    answer:\n" in text, "the interrupted question stays unanswered"

    again = pexpect.spawn(_provcheck(), ["fill", str(scaffold)], cwd=str(scaffold.parent), env=env, encoding="utf-8", timeout=30)
    again.expect(r"(extraction\.[a-z_]+)")  # the first question shown
    assert again.match.group(1) == "extraction.proxy_reseller_detection", "it resumes at the fourth question"
    again.expect_exact("answer (Enter skips, q stops): ")
    again.sendeof()
    again.expect_exact("Stopped; 0 answer(s) saved.")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
    assert time.monotonic() - started < 60
