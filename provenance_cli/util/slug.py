"""Safe file names from vendor names.

A vendor name is untrusted text that ends up in a file name; the slug must
never contain a path separator, ``..``, a control character or a reserved
device name, and two different vendors should rarely collide.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})
_MAX = 80


def slugify(name: str) -> str:
    """``"Kestrel AI, Inc."`` -> ``kestrel-ai-inc``; native scripts are transliterated."""
    from anyascii import anyascii

    text = anyascii(unicodedata.normalize("NFKC", name)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:_MAX].strip("-")
    if not slug or slug in _RESERVED:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
        slug = f"vendor-{slug + '-' if slug else ''}{digest}"
    return slug
