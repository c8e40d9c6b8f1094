"""Evidence links: are they still there, and do they still say what was assessed?

``evidence check`` fetches every URL a dossier cites; ``evidence snapshot``
records a digest of each page's normalised text in a lock file beside the
dossier; later checks (and ``assess``, through :func:`drift_findings`)
report pages that changed or disappeared since. The modules, one noun each:

* :mod:`.normalise` page text that ignores timestamps and nonces;
* :mod:`.fetch` concurrent, bounded fetching with checked redirects;
* :mod:`.lock` the lock file format;
* :mod:`.check` comparison with the lock and findings.

Nothing here prints; progress is reported through a callback.
"""

from __future__ import annotations

from provenance_cli.evidence.check import (
    build_lock,
    check_dossiers,
    citations,
    drift_findings,
    reassessment_reason,
)
from provenance_cli.evidence.lock import lock_path_for, lock_to_read, read_lock, write_lock
from provenance_cli.evidence.results import (
    DRIFT_FINDINGS,
    LINK_FINDINGS,
    DossierCheck,
    EvidenceFinding,
    EvidenceLock,
    FetchOptions,
    FetchResult,
    LockEntry,
    UrlCheck,
)

__all__ = [
    "DRIFT_FINDINGS",
    "LINK_FINDINGS",
    "DossierCheck",
    "EvidenceFinding",
    "EvidenceLock",
    "FetchOptions",
    "FetchResult",
    "LockEntry",
    "UrlCheck",
    "build_lock",
    "check_dossiers",
    "citations",
    "drift_findings",
    "lock_path_for",
    "lock_to_read",
    "read_lock",
    "reassessment_reason",
    "write_lock",
]
