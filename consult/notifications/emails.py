"""The notification emails: one item at once, and the discreet form of every email.

Every email goes through ``consult.mail.send_email`` (queued in the caller's transaction).
Each one that is not about security carries a one-click unsubscribe link for its kind,
in the body and in the RFC 8058 headers. A discreet recipient gets the subject
"Consult: you have a new notification" and a sign-in link, nothing else.
"""

from datetime import datetime

from flask_babel import force_locale

from consult.accounts.models import User
from consult.mail import external_url, send_email
from consult.notifications.models import Event, Kind, Notification
from consult.notifications.preferences import is_discreet
from consult.notifications.present import Item, present
from consult.notifications.unsubscribe import list_headers, unsubscribe_url


def item_url(item: Item) -> str:
    values = dict(item.values)
    anchor = values.pop("_anchor", None)
    url = external_url(item.endpoint or "notifications.index", **values)
    return f"{url}#{anchor}" if anchor else url


def email_view(item: Item) -> dict:
    """What an email may say of an item: the title and link always; the place and an
    excerpt only for a thread everyone may read (restricted and confidential text never
    goes by email, whoever the recipient)."""
    return {
        "title": item.title,
        "where": item.where if item.open_thread else None,
        "excerpt": item.excerpt if item.open_thread else None,
        "url": item_url(item),
    }


def links_for(user: User, scope: str | None) -> tuple[str | None, dict | None]:
    """The unsubscribe address and headers for ``scope`` (none for security mail)."""
    if scope is None or scope == Kind.SECURITY:
        return None, None
    url = unsubscribe_url(user.id, str(scope))
    return url, list_headers(url)


def send_discreet(user: User, scope: str | None):
    """The discreet form of any email: no title, company, paragraph or text."""
    unsubscribe, headers = links_for(user, scope)
    send_email(
        user.email,
        "notification_discreet",
        locale=user.locale,
        headers=headers,
        signin_url=external_url("notifications.index"),
        unsubscribe_url=unsubscribe,
    )


def email_notification(notification: Notification, user: User, *, now: datetime) -> bool:
    """Send ``notification`` to ``user`` now, if they may still read it. True when sent."""
    with force_locale(user.locale or "en"):
        item = present(notification, user)
    if not item.available:
        return False
    if notification.event == Event.SIGNED_IN:
        send_email(
            user.email,
            "new_signin",
            locale=user.locale,
            when=item.when,
            reset_url=external_url("accounts.forgot_password"),
            account_url=external_url("accounts.profile"),
        )
    elif is_discreet(user):
        send_discreet(user, notification.kind)
    else:
        unsubscribe, headers = links_for(user, notification.kind)
        send_email(
            user.email,
            "notification",
            locale=user.locale,
            headers=headers,
            item=email_view(item),
            settings_url=external_url("notifications.settings"),
            unsubscribe_url=unsubscribe,
        )
    notification.emailed_at = now
    return True
