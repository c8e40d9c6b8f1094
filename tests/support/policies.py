"""Policy files provcheck must refuse: (text, line, column, message) of the first problem."""

from __future__ import annotations

BAD_POLICIES = [
    ("policy: 1\nrule_overrides:\n  - rule: EXT-999\n    points: 3\n", 3, 11, "unknown rule 'EXT-999'"),
    (
        "policy: 1\nwaivers:\n  - rule: NOPE-1\n    vendor: X\n    reason: r\n    approver: a\n    expires: 2030-01-01\n",
        3,
        11,
        "waiver for unknown rule 'NOPE-1'",
    ),
    (
        "policy: 1\nwaivers:\n  - rule: EXT-01\n    vendor: X\n    reason: r\n    approver: a\n    expires: 2030-02-30\n",
        7,
        14,
        "'2030-02-30' is not a real calendar date",
    ),
    (
        "policy: 1\nwaivers:\n  - rule: EXT-01\n    vendor: X\n    reason: r\n    approver: a\n    expires: 31/12/2030\n",
        7,
        14,
        "expected a date as YYYY-MM-DD",
    ),
    ("policy: 1\ncategory_weights:\n  extraction: -1\n", 3, 15, "greater than or equal to 0"),
    (
        "policy: 1\ncategory_weights:\n  extraction: 0\n  retention: 0\n  export_control: 0\n  lineage: 0\n  portability: 0\n",
        3,
        3,
        "category weights sum to zero",
    ),
    ("policy: 1\ntiers:\n  medium: 60\n  high: 50\n  critical: 75\n", 3, 3, "tier thresholds must rise"),
    ("policy: 1\ncategory_weights:\n  retension: 2\n", 3, 3, "unknown category 'retension' (did you mean 'retention'?)"),
    ("policy: 1\nrule_overrides:\n  - rule: EXT-01\n    disabled: true\n", 3, 5, "needs a reason"),
    ("policy: 1\nknockout: true\n", 2, 1, "unknown key 'knockout' (did you mean 'knockouts'?)"),
]
