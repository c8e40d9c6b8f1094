"""provcheck: provenance due diligence for AI model vendors."""

__version__ = "0.1.0"
