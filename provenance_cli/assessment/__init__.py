"""From a dossier to a verdict: the pipeline, screening and evidence facts, scoring, validation."""
