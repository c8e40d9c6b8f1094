"""Foundation: errors, files, parallel work, network, bundled resources. Imports nothing else of provcheck."""
