"""Custom Rasa NLU components (they import Rasa, so they live outside the core package)."""
