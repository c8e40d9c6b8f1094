"""List sources, one module each; register a new one with one line here."""

from __future__ import annotations

from provenance_cli.screening.source import Source
from provenance_cli.screening.sources.csl import CslSource
from provenance_cli.screening.sources.custom import CustomSource
from provenance_cli.screening.sources.dod_1260h import Dod1260hSource
from provenance_cli.screening.sources.eu_fsf import EuFsfSource
from provenance_cli.screening.sources.opensanctions import OpenSanctionsSource
from provenance_cli.screening.sources.uk_sanctions import UkSanctionsSource
from provenance_cli.screening.sources.un_sc import UnScSource

SOURCES: dict[str, type[Source]] = {
    "csl": CslSource,
    "dod_1260h": Dod1260hSource,
    "un_sc": UnScSource,
    "eu_fsf": EuFsfSource,
    "uk_sanctions": UkSanctionsSource,
    "opensanctions": OpenSanctionsSource,
    "custom": CustomSource,
}
