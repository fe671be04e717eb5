"""Thin Reflex states: authorise on the server, call services, hold what the page shows."""
