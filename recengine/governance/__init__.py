"""Governance intervention (clause 5.4.3 and clause 6): the re-rank layer and the
policy snapshot through which trust & safety decisions reach serving as data."""
