"""provcheck: provenance due diligence for AI model vendors."""

__version__ = "0.2.0"
