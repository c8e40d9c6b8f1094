"""What users write: the strict YAML reader, models, questionnaires, dossiers, policies, schemas."""
