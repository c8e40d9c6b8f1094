"""Evidence drift as facts for scoring (stage three of the assess pipeline).

``assess`` looks at evidence only for dossiers that have a lock file: the
lock is the record of what the assessment relied on, so without one there
is nothing to drift from (and no reason to touch the network). With a lock,
cited pages are re-checked online, or only the lock is read offline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from provenance_cli.assessment.results import EvidenceReview
from provenance_cli.formats.dossier import Dossier
from provenance_cli.util.errors import ServiceError


@dataclass(frozen=True)
class Drift:
    """What the lock file says about one dossier's evidence, for scoring and reports."""

    review: EvidenceReview
    warnings: tuple[str, ...]
    changed: str | None
    """Why reassessment is due now (pages changed or removed), or None."""


def evidence_for_scoring(dossier: Dossier, *, offline: bool) -> Drift | None:
    """Drift of the dossier's cited evidence against its lock file; None when there is no lock.

    When the pages cannot be re-checked (offline mode, no network) the result is a warning and no findings:
    an assessment does not fail because the web is out of reach.
    """
    from provenance_cli.formats.locknames import may_have_lock

    if not may_have_lock(dossier.source):  # the common case, decided without importing the evidence stack
        return None
    from provenance_cli.evidence import drift_findings, lock_to_read, reassessment_reason
    from provenance_cli.evidence.lock import lock_from_bytes
    from provenance_cli.formats.safeyaml import read_bytes

    path = lock_to_read(dossier.source)
    if not path.exists():
        return None
    raw = read_bytes(path)  # read once: the digest the report cites is of the lock that was scored; a FIFO or folder is refused
    digest = hashlib.sha256(raw).hexdigest()
    lock = lock_from_bytes(raw, str(path))
    try:
        findings = tuple(drift_findings(dossier, offline=offline, lock_path=path, lock=lock))
    except ServiceError as exc:
        return Drift(EvidenceReview((), str(path), digest), (f"evidence not re-checked: {exc}",), None)
    return Drift(EvidenceReview(findings, str(path), digest), (), reassessment_reason(findings))
