"""Notifications and email delivery: the top of the domain layers.

Lower layers queue email through ``consult.mail.send_email`` (a row of the outbox,
written in their own transaction); this package delivers it (``delivery``, ``jobs``)
and reacts to what the lower layers announce.
"""
