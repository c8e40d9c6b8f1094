"""Third-party imports that need care beyond an ``import`` statement.

jsonschema, on import, builds a checker for every string format whose
optional helper package is installed. One of those helpers,
``rfc3987_syntax`` (brought in by ``jsonschema[format-nongpl]``, which
cyclonedx-python-lib's validation extra requires), compiles 38 Lark
grammars when imported: about 1.5 s of CPU before the first schema is read,
for the ``iri`` and ``iri-reference`` formats. provcheck's own schemas use
``date`` and ``date-time`` only, so ``compare`` and ``diff`` have no use for
them and should not pay a second and a half for them.
"""

from __future__ import annotations

import sys
from types import ModuleType

_IRI_HELPER = "rfc3987_syntax"


def jsonschema_for_own_schemas() -> ModuleType:
    """The ``jsonschema`` module, imported (if it is not already) without the IRI-format helper.

    The helper is kept out only while jsonschema is first imported (a
    ``None`` entry in ``sys.modules`` makes its import fail, which jsonschema
    expects of any optional helper), then the entry is removed again, so
    code that imports the helper itself later still gets it. Validation of
    other schemas in the same process then simply does not check the IRI
    formats, as on a machine without the helper.
    """
    already = sys.modules.get("jsonschema")
    if already is not None:
        return already
    blocked = _IRI_HELPER not in sys.modules
    if blocked:
        sys.modules[_IRI_HELPER] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        if blocked and sys.modules.get(_IRI_HELPER, 0) is None:
            del sys.modules[_IRI_HELPER]
    return jsonschema
