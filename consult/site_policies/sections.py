"""The sections of the policies page, in order, and the standard text of each.

Coordinators write each section's prose; beside some sections the page shows a block
of figures generated from the settings (``block``; see ``consult.site_policies.settings``).
The prose should not repeat those figures: they change with the settings, and the page
shows them next to it.

The standard texts are what a fresh site shows before any version is published, and
what the first draft starts from.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MAX_SECTION = 20_000
MAX_NOTE = 2_000


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a lazy string
    block: str | None = None  # the generated block shown after the prose, if any


SECTIONS = [
    Section("registration", _l("Registration")),
    Section("visibility", _l("Who can read a comment"), block="visibility"),
    Section("privacy_officers", _l("Privacy officers"), block="privacy_officers"),
    Section("times", _l("Dates and times")),
    Section("responses", _l("Company answers and their deadlines"), block="responses"),
    Section("late", _l("Comment periods, late comments, extensions and reopening"), "period"),
    Section("campaigns", _l("Campaigns"), block="campaigns"),
    Section("figures", _l("Published figures"), block="figures"),
    Section("moderation", _l("Moderation")),
    Section("withdrawal", _l("Withdrawing and changing a comment")),
    Section("reporting", _l("Updates and summaries"), block="reporting"),
    Section("retention", _l("How long data is kept"), block="retention"),
    Section("security", _l("Accounts and security"), block="security"),
]
SECTION_KEYS = [s.key for s in SECTIONS]

STANDARD_TEXT = {
    "registration": _l(
        "People register as members of an organisation. A coordinator checks each "
        "registration and confirms the organisation's kind, which becomes the member's "
        "stakeholder category (civil society, investor, academic, other). There is no "
        "public list of organisations or members."
    ),
    "visibility": _l(
        "Each comment is posted at one of four levels, chosen by its author. Coordinators "
        "do not see who wrote an anonymous, restricted or confidential comment. Only a "
        "privacy officer can, with a recorded reason, and every such look is listed to "
        "the author."
    ),
    "privacy_officers": _l(
        "Privacy officers are coordinators who alone may see who wrote a non-public "
        "comment. Their names and affiliations are published here."
    ),
    "times": _l(
        "Public comments show the date and time they were written. Anonymous, restricted "
        "and confidential comments, and replies in their threads, show the date only: an "
        "exact time can identify someone. Deadlines are dates in the consultation's time "
        "zone, which is always named."
    ),
    "responses": _l(
        "Each comment asks the companies it is addressed to for an answer. A company can "
        "answer, decline with a reason, or ask the author for clarification, which pauses "
        "its clock. Where a company has not answered in time, the comment says so in "
        "neutral words. The figures below are the site's defaults; a consultation may "
        "set its own, listed on its policies page."
    ),
    "late": _l(
        "After the closing date you can still send a comment, as a late one. It is seen "
        "only by you and the coordinators until a coordinator accepts it; either way you "
        "are told the reason. An extension of the closing date applies to everyone, keeps "
        "the original date on the timeline and is announced as an update."
    ),
    "campaigns": _l(
        "Public or anonymous comments with the same or nearly the same text from enough "
        "organisations are shown once, as a campaign, with the count and the public "
        "signatories. Each is still counted separately in every figure, and none is "
        "dropped. Restricted and confidential comments never join a campaign."
    ),
    "figures": _l(
        "A figure shown to you counts only what you may read, except the published "
        "tracker and summaries, which count one fixed population, the same for every "
        "reader, with their formulas published. Confidential comments appear only in a "
        "consultation's total, and anonymous comments are never broken down by country."
    ),
    "moderation": _l(
        "Anyone signed in can flag a comment. Coordinators can hide a comment that exposes "
        "someone's personal details, is abusive, is spam or has nothing to do with the "
        "draft; a public reason is shown in its place, and nothing is deleted. They can "
        "restore it, and suspend an account, which can then no longer write anywhere. "
        "Each consultation publishes its moderation figures."
    ),
    "withdrawal": _l(
        "You can edit a comment while commenting is open; every revision is kept, and "
        "shown once the comment has replies, answers or co-signatures. A coordinator can "
        "redact an earlier revision at your request. You can make a comment less public "
        "at any time, and more public only until a company has answered. Withdrawing "
        "removes its text, and your name if you ask, from every page, feed and export at "
        "once."
    ),
    "reporting": _l(
        "Coordinators post dated progress updates and keep a public timeline, on which "
        "earlier planned dates stay visible. After the close they publish a narrative "
        "summary: what was said, what changed and why, and next steps."
    ),
    "retention": _l(
        "Comments, company answers and the audit log form each consultation's record and "
        "are kept; withdrawing a comment removes its text from every output (see above). "
        "What is kept only for a limited time is listed below."
    ),
    "security": _l(
        "Passwords are stored only as argon2id hashes. Signing out or changing your "
        "password ends every session of your account."
    ),
}


def standard_sections() -> dict[str, str]:
    """The standard text of every section, in the current language."""
    return {key: str(STANDARD_TEXT.get(key, "")) for key in SECTION_KEYS}
