"""Ranking (clause 5.4.2): one score from several objectives, with weights that are
versioned configuration."""
