"""Audit runs, findings and reports (clause 8.2)."""
