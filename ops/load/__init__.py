"""Closed-loop load for `make bench`: simulated shoppers against our stack and Rasa's starter.

``scripts`` holds the conversations, ``driver`` runs them (N workers, one conversation after
another, a new sender id each), ``stats`` turns the turns into figures and the report, ``rss``
samples the services' memory, ``starter`` creates and serves ``rasa init``'s assistant, and
``bench`` ties them together for ``ops.bench``.
"""
