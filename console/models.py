"""The console keeps no tables of its own: it works on the engine's and the audits'."""
