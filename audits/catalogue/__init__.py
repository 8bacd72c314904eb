"""The clause catalogue: every clause of the standard, and how an audit assesses it."""
