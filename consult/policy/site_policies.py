"""Who may write the site's policies, and who may read which version of them."""

from consult.permissions import is_coordinator
from consult.site_policies.models import PolicyVersion


def can_edit_site_policies(user) -> bool:
    """Coordinators write the prose of the policies page and publish its versions."""
    return is_coordinator(user)


def can_read_policy_version(viewer, version: PolicyVersion) -> bool:
    """A published version is public, at its number, for good; a draft is read by the
    coordinators only, on the page where they edit it."""
    return version.is_published or can_edit_site_policies(viewer)
