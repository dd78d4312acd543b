"""The first published version of the site's policies, for the demonstration.

The prose is the platform's standard text, marked as demonstration text; the figures
beside it are the settings in force, recorded as publishing always records them.
"""

from consult.site_policies import services
from consult.site_policies.sections import SECTION_KEYS

NOTE = (
    "*Demonstration text.* These policies were published for the Consult demonstration: "
    "the platform's standard text, not the policies of any real organisation."
)


def load_demo_policies(*, people, now):
    """Name the demonstration privacy officer's affiliation and publish version 1."""
    officer = people["privacy@consult.demo"]
    officer.role_title = "Privacy officer, secretariat of the Telecommunications Dialogue (demo)"
    sections = services.starting_text()
    first = SECTION_KEYS[0]
    sections[first] = f"{NOTE}\n\n{sections[first]}"
    services.publish_draft(
        sections=sections,
        change_note="First version (demonstration data).",
        editing_revision=None,
        based_on=None,
        coordinator=people["coordinator@consult.demo"],
        now=now,
    )
