"""From a result to report text and files: the report document, one module per format behind ``interface.py``. Never prints."""
