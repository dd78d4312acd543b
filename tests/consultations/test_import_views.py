"""Importing a draft in the browser: preview, matching corrections, publication."""

import io
import re

import pytest

from consult.consultations import versions
from consult.consultations.importer import MAX_BYTES
from consult.consultations.models import Phase
from tests import factories
from tests.consultations import factories as cf


@pytest.fixture
def coordinator_client(client):
    client.sign_in(factories.coordinator())
    return client


def page(response):
    return response.get_data(as_text=True)


def upload(client, url, data: bytes, filename="draft.md", text=""):
    token = client.csrf_token(url)
    return client.raw.post(
        url,
        data={"csrf_token": token, "text": text, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_paste_preview_and_publish_draft_one(coordinator_client):
    client = coordinator_client
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    url = f"/consultations/{consultation.slug}/import"
    response = client.post(url, {"text": cf.DRAFT_ONE})
    assert response.status_code == 302
    preview = page(client.get(response.headers["Location"]))
    assert "Preview of Draft 1 (not published)" in preview
    for number in ["§0.1", "§1", "§1.1", "§1.2", "§2", "§2.1", "§2.2", "§2.3", "§2.4"]:
        assert f">{number}" in preview
    assert "Publish Draft 1" in preview
    published = client.post(
        f"/consultations/{consultation.slug}/import/publish",
        token_from=f"/consultations/{consultation.slug}/import/preview",
    )
    assert published.status_code == 302
    assert published.headers["Location"].endswith("/versions/1")
    assert versions.latest_published_version(consultation).number == 1


def test_upload_a_file_with_windows_line_endings(coordinator_client):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    url = f"/consultations/{consultation.slug}/import"
    response = upload(coordinator_client, url, cf.DRAFT_ONE.replace("\n", "\r\n").encode())
    assert response.status_code == 302
    pending = versions.pending_version(consultation)
    assert pending.source_name == "draft.md"
    assert [p.number for p in pending.paragraphs][:3] == ["0.1", "1", "1.1"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The draft is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("Café crème".encode("latin-1"), "not UTF-8"),
        (b"# Only a heading\n", "No paragraphs were found"),
        (b"x" * (MAX_BYTES + 10), "larger than 512 KB"),
    ],
)
def test_bad_uploads_get_a_clear_message(coordinator_client, data, message):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    url = f"/consultations/{consultation.slug}/import"
    response = upload(coordinator_client, url, data)
    assert response.status_code == 422
    assert message in page(response)
    assert versions.pending_version(consultation) is None


def test_bad_pasted_text_comes_back_kept(coordinator_client):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    url = f"/consultations/{consultation.slug}/import"
    response = coordinator_client.post(url, {"text": "# Heading only, my long work\n\n---\n"})
    assert response.status_code == 422
    assert "No paragraphs were found" in page(response)
    assert "# Heading only, my long work" in page(response)


def test_an_empty_submission_is_refused(coordinator_client):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    response = coordinator_client.post(f"/consultations/{consultation.slug}/import", {"text": ""})
    assert response.status_code == 422
    assert "The draft is empty" in page(response)


def test_a_file_and_pasted_text_together_are_refused_with_the_text_kept(coordinator_client):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    url = f"/consultations/{consultation.slug}/import"
    response = upload(coordinator_client, url, b"Text.\n", text="Pasted words kept")
    assert response.status_code == 422
    assert "not both" in page(response)
    assert "Pasted words kept" in page(response)


def test_an_expired_token_keeps_the_pasted_text(coordinator_client):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    response = coordinator_client.post(
        f"/consultations/{consultation.slug}/import", {"text": "My careful draft."}, csrf=False
    )
    assert response.status_code == 422
    assert "My careful draft." in page(response)
    assert versions.pending_version(consultation) is None


def test_the_preview_of_draft_two_shows_the_matching_and_a_coordinator_corrects_it(
    coordinator_client,
):
    client = coordinator_client
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    one = {p.number: p for p in versions.paragraphs_of(consultation.versions[0])}
    client.post(f"/consultations/{consultation.slug}/import", {"text": cf.DRAFT_TWO})
    url = f"/consultations/{consultation.slug}/import/preview"
    preview = page(client.get(url))
    assert "Matches in Draft 1" in preview
    assert 'class="tag change-changed"' in preview
    assert 'class="tag change-new"' in preview
    assert "<ins>" in preview  # the word diff of the changed paragraph
    assert "Removed from Draft 1" in preview
    assert "They cover networks, devices and services." in preview
    pending = versions.pending_version(consultation)
    numbers = [one[p.number].number if p.previous_id else "" for p in pending.paragraphs]
    # Say the new Transparency paragraph (3.1) continues the removed 1.2 instead.
    index = [p.number for p in pending.paragraphs].index("3.1")
    numbers[index] = "1.2"
    data = {f"matches-{i}": n for i, n in enumerate(numbers)}
    response = client.post(url, data)
    assert response.status_code == 302
    corrected = {p.number: p for p in versions.paragraphs_of(pending)}
    assert corrected["3.1"].stable_key == one["1.2"].stable_key
    assert corrected["3.1"].change == "changed"
    # A duplicate match is refused on the entry, with the typed values kept.
    data[f"matches-{index}"] = "0.1"
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "already matched to another paragraph" in page(refused)
    assert 'value="0.1"' in page(refused)


@pytest.mark.parametrize("change", ["missing", "added", "renumbered"])
def test_matching_entries_missing_or_added_are_refused_with_the_rest_kept(
    coordinator_client, change
):
    """One entry per paragraph, in order, whatever entries the request holds."""
    client = coordinator_client
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    client.post(f"/consultations/{consultation.slug}/import", {"text": cf.DRAFT_TWO})
    url = f"/consultations/{consultation.slug}/import/preview"
    pending = versions.pending_version(consultation)
    count = len(pending.paragraphs)
    data = {f"matches-{i}": "" for i in range(count)}
    data["matches-1"] = "9.9"
    if change == "missing":
        del data["matches-0"]
    elif change == "added":
        data[f"matches-{count + 40}"] = "1.1"
    else:
        data[f"matches-{count}"] = data.pop("matches-2")
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "does not match the draft&#39;s paragraphs" in page(refused)
    assert page(refused).count('class="match-input"') == count
    kept = re.search(r'<input[^>]*name="matches-1"[^>]*value="9.9"', page(refused))
    assert kept, page(refused)
    assert versions.pending_version(consultation) is not None


def test_publishing_draft_two_through_the_preview(coordinator_client):
    client = coordinator_client
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    client.post(f"/consultations/{consultation.slug}/import", {"text": cf.DRAFT_TWO})
    preview = f"/consultations/{consultation.slug}/import/preview"
    response = client.post(
        f"/consultations/{consultation.slug}/import/publish",
        token_from=preview,
        follow_redirects=True,
    )
    assert "Draft 2 is published" in page(response)
    assert client.get(preview).status_code == 404  # nothing left to preview


def test_discarding_an_import(coordinator_client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    cf.pending_draft(consultation, cf.DRAFT_TWO)
    preview = f"/consultations/{consultation.slug}/import/preview"
    response = coordinator_client.post(
        f"/consultations/{consultation.slug}/import/discard", token_from=preview
    )
    assert response.status_code == 302
    assert versions.pending_version(consultation) is None


def test_publishing_without_a_valid_token_changes_nothing(coordinator_client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    cf.pending_draft(consultation, cf.DRAFT_TWO)
    response = coordinator_client.post(
        f"/consultations/{consultation.slug}/import/publish", csrf=False, follow_redirects=True
    )
    assert "nothing was published" in page(response)
    assert versions.pending_version(consultation) is not None
