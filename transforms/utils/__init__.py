"""Helpers every stage shares: identities (ids), publication dates (dates), the reject path and
metrics (stage)."""
