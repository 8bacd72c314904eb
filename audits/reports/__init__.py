"""Audit reports: the document a run produces and its renderings (HTML, PDF, CSV,
JSON), built the way REFERENCE.md describes a compliance report."""
