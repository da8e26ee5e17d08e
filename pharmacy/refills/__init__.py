"""Prescription refills and refill reminders, without Rasa.

- ``policy``: the pharmacy's refill rules (R1-R6), pure functions of a prescription and a day;
- ``conversation``: reading a shopper's reply in the refill form, and what the form shows;
- ``service``: finding, submitting and recording refills (orders, renewals, refill events);
- ``reminders``: opt-in refill reminders, sent by a cron command through Rasa's HTTP API;
- ``models``: their tables (renewal requests, reminders sent, refill events, reachable chats).

Reminders live here because they are refills' own: their due date is the policy's, they are
skipped for a refill already ordered (the service's idempotency key) and they count in the
refill-conversion metric. Nothing is imported here, so importing one module loads only its own.
"""
