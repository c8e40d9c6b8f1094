"""List sources, one module each; register a new one with one line here."""

from __future__ import annotations

from provenance_cli.screening.source import Source
from provenance_cli.screening.sources.csl import CslSource
from provenance_cli.screening.sources.custom import CustomSource
from provenance_cli.screening.sources.dod_1260h import Dod1260hSource
from provenance_cli.screening.sources.opensanctions import OpenSanctionsSource

SOURCES: dict[str, type[Source]] = {
    "csl": CslSource,
    "dod_1260h": Dod1260hSource,
    "opensanctions": OpenSanctionsSource,
    "custom": CustomSource,
}
