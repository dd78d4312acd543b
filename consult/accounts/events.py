"""What happens to an account, for the layers above (notifications) to react to.

Each is sent with the user as sender, after the change is flushed, with ``now``.
"""

from consult.events import Event

password_changed = Event("password-changed", doc="The person changed their password.")
email_changed = Event("email-changed", doc="The person's email address changed.")
