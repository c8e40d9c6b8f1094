"""OFAC's 50 percent rule over the ownership chain: the arithmetic, level by level, with unknowns said out loud."""

from __future__ import annotations

from datetime import date

from provenance_cli.assessment.ownership import apply_fifty_percent_rule
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.models import DossierModel


def chain(*owners: dict) -> Dossier:  # type: ignore[type-arg]
    model = DossierModel.model_validate(
        {
            "provcheck": 2,
            "vendor": {"name": "Vendor", "legal_name": "Vendor Ltd", "parents": list(owners)},
            "assessment": {"assessor": "A", "date": date(2026, 11, 1)},
        }
    )
    return Dossier("vendor.yaml", "0" * 64, model, {}, {})


def test_two_blocked_owners_of_30_percent_each_block_the_vendor() -> None:
    dossier = chain({"name": "A", "share": 30}, {"name": "B", "share": 30, "kind": "person"}, {"name": "C", "share": 40})
    found = apply_fifty_percent_rule(dossier, {0, 1}, vendor_listed=False)
    assert found.facts == {"majority_blocked"}
    assert found.explanation == "blocked persons hold 60% of the vendor in the aggregate: A (listed) holds 30%; B (listed) holds 30%"


def test_below_half_is_a_minority_and_never_majority() -> None:
    dossier = chain({"name": "A", "share": 49.9}, {"name": "C", "share": 50.1})
    assert apply_fifty_percent_rule(dossier, {0}, vendor_listed=False).facts == {"minority_blocked"}


def test_exactly_half_blocks() -> None:
    assert apply_fifty_percent_rule(chain({"name": "A", "share": "50%"}), {0}, vendor_listed=False).facts == {"majority_blocked"}


def test_an_unknown_share_is_unknown_not_zero() -> None:
    found = apply_fifty_percent_rule(chain({"name": "A"}, {"name": "B", "share": 20}), {0, 1}, vendor_listed=False)
    assert found.facts == {"minority_blocked", "unknown_share_blocked"}
    assert "share unknown for A" in found.explanation


def test_indirect_ownership_through_blocked_and_unblocked_intermediates() -> None:
    # X (listed) owns 60% of H, H owns 55% of the vendor: H is blocked, so the vendor is.
    blocked = chain({"name": "H", "share": 55}, {"name": "X", "share": 60, "holds_in": "H"})
    assert apply_fifty_percent_rule(blocked, {1}, vendor_listed=False).facts == {"majority_blocked"}
    # X owns 40% of H: H is not blocked; the vendor holds no blocked share, but a listed owner is in the chain.
    clear = chain({"name": "H", "share": 55}, {"name": "X", "share": 40, "holds_in": "H"})
    assert apply_fifty_percent_rule(clear, {1}, vendor_listed=False).facts == {"minority_blocked"}
    # X's share of H is unknown: whether H is blocked is unknown, so the vendor's is too.
    unknown = chain({"name": "H", "share": 55}, {"name": "X", "holds_in": "H"})
    assert apply_fifty_percent_rule(unknown, {1}, vendor_listed=False).facts == {"unknown_share_blocked"}


def test_control_without_equity_is_flagged() -> None:
    dossier = chain({"name": "A", "share": 10, "control": ["contractual_vie"]})
    assert apply_fifty_percent_rule(dossier, {0}, vendor_listed=False).facts == {"minority_blocked", "control_blocked"}


def test_no_listed_owner_no_facts() -> None:
    assert apply_fifty_percent_rule(chain({"name": "A", "share": 100}), set(), vendor_listed=False).facts == frozenset()
