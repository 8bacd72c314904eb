"""Content moderation (clause 6.1) and AIGC labels (clause 6.4)."""
