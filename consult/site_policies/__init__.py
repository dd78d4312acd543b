"""The site's policies page: coordinators' prose beside figures generated from the
settings, published in numbered versions that never change and stay readable.

Not to be confused with ``consult.policy``, the permission rules.
"""
