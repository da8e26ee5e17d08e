"""Evergreen Pharmacy core: data, rules and services, with no Rasa import.

Actions, the web servers and scripts call into this package; it never calls back into them.
"""
