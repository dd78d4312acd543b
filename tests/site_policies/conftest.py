"""Coordinators, and helpers to edit and publish the policies through the pages."""

import re

import pytest

from consult.site_policies.sections import SECTION_KEYS
from tests import factories

EDIT = "/policies/edit"


@pytest.fixture
def coordinator():
    return factories.coordinator(name="Carla Coordinator")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="policies-{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the editor"
    return match.group(1)


def editor_form(client, **changes) -> dict:
    """What the editor sends, read from the page as it is now, with ``changes``
    (``section_<key>=…``, ``change_note=…``, and the button pressed)."""
    page = client.get(EDIT).get_data(as_text=True)
    data = {
        "policies-based_on": hidden(page, "based_on"),
        "policies-revision": hidden(page, "revision"),
        "policies-change_note": "",
    }
    for key in SECTION_KEYS:
        match = re.search(
            rf'<textarea[^>]*name="policies-section_{key}"[^>]*>\r?\n?(.*?)</textarea>',
            page,
            re.S,
        )
        assert match, key
        data[f"policies-section_{key}"] = _unescape(match.group(1))
    for name, value in changes.items():
        data[f"policies-{name}"] = value
    return data


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


def publish(client, note="First version.", **changes):
    """Publish the next version through the editor; returns the response."""
    data = editor_form(client, change_note=note, publish="Publish this version", **changes)
    return client.post(EDIT, data, prefix="policies")
