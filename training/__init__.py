"""Training and held-out evaluation for the learned detectors (never imported at run time)."""
