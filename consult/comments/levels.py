"""What each visibility level publishes, in words: the one source of these texts.

The comment form (before anyone chooses), the consultation's page and the site's
policies page all show these same strings, and a published version of the policies
records them as they read then. Change a level's wording here and every page follows.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult.comments.models import VISIBILITY_LABELS, Visibility

# How the comment form names the choice that leads to each level.
CHOICES = {
    Visibility.PUBLIC: _l("Everyone + your name"),
    Visibility.ANONYMOUS: _l("Everyone + your category"),
    Visibility.RESTRICTED: _l("Companies you choose"),
    Visibility.CONFIDENTIAL: _l("Coordinators only"),
}
DESCRIPTIONS = {
    Visibility.PUBLIC: _l("Anyone can read it; your name and organisation are shown."),
    Visibility.ANONYMOUS: _l(
        "Anyone can read it; only your category (and the country or region, if you "
        "choose) is shown. Nobody but a privacy officer, with a recorded reason, can see "
        "who wrote it."
    ),
    Visibility.RESTRICTED: _l(
        "Only you, people you invite to co-sign, the coordinators and the companies you "
        "choose read it; the companies see your category and the date only."
    ),
    Visibility.CONFIDENTIAL: _l(
        "Only you, people you invite and the coordinators read it; no company is asked to answer."
    ),
}


@dataclass(frozen=True)
class LevelText:
    level: str  # the Visibility value
    label: str  # "Public"
    choice: str  # "Everyone + your name"
    description: str


def level_texts() -> list[LevelText]:
    """The four levels, most public first, in the current language."""
    return [
        LevelText(
            level=level.value,
            label=str(VISIBILITY_LABELS[level]),
            choice=str(CHOICES[level]),
            description=str(DESCRIPTIONS[level]),
        )
        for level in Visibility
    ]
