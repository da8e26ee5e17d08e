"""Rasa SDK actions: thin adapters that read the tracker, call ``pharmacy``, and answer."""
