"""Trust & safety: blacklist (6.2.3), merchant credit (6.2.2) and quality boost (6.2.1).

Staff change these through ``services``; every change publishes a new policy version
that serving obeys (``recengine.governance.publishing``).
"""
