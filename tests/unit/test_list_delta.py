"""List deltas: entries added, removed and changed between two cached copies, renumbered ones recognised."""

from __future__ import annotations

from provenance_cli.screening.delta import ListDelta, Version, compute_delta
from provenance_cli.screening.model import Entry

OLD = Version("a" * 64, "2026-11-01T06:00:00+00:00", {"meu": "2026-10-30"})
NEW = Version("b" * 64, "2026-11-08T06:00:00+00:00", {"meu": "2026-11-07"})


def entry(entry_id: str, name: str, *aliases: str, key: str = "meu", **extra: object) -> Entry:
    return Entry(key, entry_id, name, tuple(aliases), **extra)  # type: ignore[arg-type]


def test_added_removed_changed_and_renumbered():
    old = [
        entry("m-1", "Example Avionics Institute"),
        entry("m-2", "Example Optics Works", "EOW"),
        entry("m-3", "Gone Trading Co"),
        entry("x1", "Same Name Twice Ltd"),
        entry("x1", "Same Name Twice Ltd", "second record"),
    ]
    new = [
        entry("r-91", "Example Avionics Institute"),  # the MEU renumbers every rebuild: same record, new id
        entry("m-2", "Example Optics Works", "EOW", "Example Optics Plant"),
        entry("m-4", "New Listing Corp", list_date="2026-11-07"),
        entry("x1", "Same Name Twice Ltd"),
        entry("x1", "Same Name Twice Ltd", "second record"),
    ]
    delta = compute_delta("csl", OLD, iter(old), NEW, new)
    assert [(e.entry_id, e.name) for e in delta.added] == [("m-4", "New Listing Corp")]
    assert [(e.entry_id, e.name) for e in delta.removed] == [("m-3", "Gone Trading Co")]
    assert [(e.entry_id, e.changes) for e in delta.changed] == [("m-2", ("alias added: Example Optics Plant",))]
    assert delta.reidentified == 1
    assert delta.summary() == "1 added, 1 removed, 1 changed since the copy fetched 2026-11-01 06:00 UTC (1 only renumbered)"
    assert ListDelta.from_dict(delta.as_dict()) == delta


def test_renumbered_with_other_details_is_a_change_said_in_words():
    delta = compute_delta(
        "csl",
        OLD,
        [entry("m-1", "Example Institute", list_date="2026-01-01")],
        NEW,
        [entry("r-2", "Example Institute", list_date="2026-11-07")],
    )
    assert not delta.added and not delta.removed
    assert delta.changed[0].changes == ("id m-1 -> r-2", "listing date 2026-01-01 -> 2026-11-07")


def test_first_download_reports_nothing_as_added():
    delta = compute_delta("un_sc", None, None, NEW, [entry("a", "A Corp", key="un_sc")])
    assert delta.previous is None and delta.empty and "first download" in delta.summary()
