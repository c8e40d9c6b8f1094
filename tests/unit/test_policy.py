"""Policy files: each lever shows in the trace, and bad policies are refused with a location."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support import REPO
from support.policies import BAD_POLICIES

from provenance_cli.assessment.supply_chain import ScoringInputs, score_vendor
from provenance_cli.formats.dossier import load_dossier
from provenance_cli.formats.policy import load_policy
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.util.errors import InputError

KESTREL = REPO / "examples" / "kestrel-ai.yaml"
AS_OF = date(2026, 11, 23)
catalogue = load_catalogue()


def policy_from(tmp_path: Path, text: str, name: str = "policy.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_policy(path, catalogue)


def run(policy, on: date = AS_OF, path: Path = KESTREL):
    """The vendor's verdict: each model scored with its own answers, the worst model in scope standing for the vendor."""
    return score_vendor(load_dossier(path, catalogue), catalogue, policy, ScoringInputs(on, None, None, ()))


def first_fired(result, *, knockout: bool = False):
    return next(t for t in result.findings if t.contribution > 0 and bool(t.knockout) == knockout)


def test_category_weight_change_moves_the_overall_score_and_is_recorded(tmp_path: Path) -> None:
    default = run(load_policy(None, catalogue))
    heavy = run(policy_from(tmp_path, "policy: 1\ncategory_weights:\n  portability: 10\n"))
    assert next(c.weight for c in heavy.categories if c.id == "portability") == 10
    assert heavy.overall != default.overall
    assert [t.contribution for t in heavy.trace] == [t.contribution for t in default.trace]
    assert heavy.policy_sha256 != default.policy_sha256


def test_waiver_applies_until_it_expires_then_is_reported(tmp_path: Path) -> None:
    base = run(load_policy(None, catalogue))
    target = first_fired(base)
    policy = policy_from(
        tmp_path,
        f"""policy: 1
waivers:
  - rule: {target.rule_id}
    vendor: kestrel ai
    reason: Compensating control agreed in the MSA
    approver: Head of Procurement
    expires: 2026-12-31
""",
    )
    active = run(policy, on=date(2026, 12, 1))
    waived = next(t for t in active.trace if t.rule_id == target.rule_id)
    assert waived.waiver is not None and waived.waiver.approver == "Head of Procurement"
    assert waived.contribution == 0
    assert [w.rule for w in active.waivers_applied] == [target.rule_id]
    assert not active.waivers_expired

    expired = run(policy, on=date(2027, 1, 2))
    fired = next(t for t in expired.trace if t.rule_id == target.rule_id)
    assert fired.waiver is None and fired.contribution == pytest.approx(fired.points * fired.weight)
    assert [w.rule for w in expired.waivers_expired] == [target.rule_id]
    assert not expired.waivers_applied


def test_waiver_for_another_vendor_does_not_apply(tmp_path: Path) -> None:
    target = first_fired(run(load_policy(None, catalogue)))
    policy = policy_from(
        tmp_path,
        f"policy: 1\nwaivers:\n  - {{rule: {target.rule_id}, vendor: Someone Else, reason: r, approver: a, expires: 2030-01-01}}\n",
    )
    result = run(policy)
    assert next(t for t in result.trace if t.rule_id == target.rule_id).waiver is None


def test_disabled_rule_leaves_the_trace_with_its_reason(tmp_path: Path) -> None:
    base = run(load_policy(None, catalogue))
    target = first_fired(base)
    policy = policy_from(
        tmp_path,
        f"policy: 1\nrule_overrides:\n  - rule: {target.rule_id}\n    disabled: true\n    reason: Not relevant to batch-only use\n",
    )
    result = run(policy)
    assert target.rule_id not in {t.rule_id for t in result.trace}
    assert [(d.rule_id, d.reason) for d in result.disabled_rules] == [(target.rule_id, "Not relevant to batch-only use")]


def test_points_override_is_marked_in_the_trace(tmp_path: Path) -> None:
    target = first_fired(run(load_policy(None, catalogue)))
    result = run(policy_from(tmp_path, f"policy: 1\nrule_overrides:\n  - {{rule: {target.rule_id}, points: 1, severity: low}}\n"))
    entry = next(t for t in result.trace if t.rule_id == target.rule_id)
    assert entry.overridden and entry.points == 1 and entry.severity == "low"


def test_knockout_forces_the_tier_and_can_be_switched_off(tmp_path: Path) -> None:
    on = run(load_policy(None, catalogue), path=REPO / "examples" / "aurora-models.yaml")
    assert on.knockouts and "knock-out" in on.tier_basis
    knocked = next(t for t in on.trace if t.rule_id == on.knockouts[0])
    assert knocked.knockout in ("high", "critical")
    off = run(policy_from(tmp_path, "policy: 1\nknockouts: false\n"), path=REPO / "examples" / "aurora-models.yaml")
    assert not off.knockouts
    assert "knock-out" not in off.tier_basis
    assert off.decision.outcome != "reject" or not any("knock" in r.text for r in off.decision.reasons)
    assert any(t.rule_id == knocked.rule_id for t in off.trace), "the rule still scores; it just stops forcing the tier"


def test_waived_knockout_does_not_force_the_tier(tmp_path: Path) -> None:
    aurora = REPO / "examples" / "aurora-models.yaml"
    base = run(load_policy(None, catalogue), path=aurora)
    rule = base.knockouts[0]
    policy = policy_from(
        tmp_path,
        f"policy: 1\nwaivers:\n"
        f"  - {{rule: {rule}, vendor: Aurora Models, reason: Access restored for our users, approver: CISO, expires: 2027-06-30}}\n",
    )
    assert rule not in run(policy, path=aurora).knockouts


# --------------------------------------------------------------------------- bad policies


@pytest.mark.parametrize(("text", "line", "column", "message"), BAD_POLICIES, ids=[m for *_, m in BAD_POLICIES])
def test_bad_policy_is_refused_with_its_location(tmp_path: Path, text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        policy_from(tmp_path, text)
    problems = [str(p) for p in caught.value.problems]
    expected = f"{tmp_path / 'policy.yaml'}:{line}:{column}: "
    assert any(p.startswith(expected) and message in p for p in problems), problems
