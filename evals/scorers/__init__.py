"""Scorers: small classes, each returning a ``Score`` (a value in [0, 1] and a reason)."""
