"""The agent desk: the web app where agents and pharmacists take over handoffs (see desk.server)."""
