"""Custom Rasa graph components: NLU guards and the conversation guard policy.

They import Rasa, so they live outside the core package; their decisions come from pharmacy/.
"""
