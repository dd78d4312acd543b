"""Consult: a stakeholder consultation platform.

The app factory imports every package; nothing in them imports this module, so the
imports stay at the top (a blueprint's module importing ``consult`` would be a start-up
cycle: none does, and import-linter's layer contract would show one). Extensions are
reached as ``extensions.db``: a name ``db`` bound here would hide the module consult.db,
which the migrations read.
"""

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import consult.mail  # noqa: F401  (registers the after-commit hooks of the outbox)
import consult.models  # noqa: F401  (every table, for Alembic and the ORM)
from config import BASE_DIR, Config
from consult import cli, errors, extensions, i18n, routing, transactions, workers
from consult.accounts.models import company_slug
from consult.accounts.sessions import init_login
from consult.accounts.views import bp as accounts_bp
from consult.admin.views import bp as admin_bp
from consult.audit.views import bp as audit_bp
from consult.comments import campaigns, display, levels
from consult.comments.views import bp as comments_bp
from consult.commitments.views import bp as commitments_bp
from consult.consultations.schedule import (
    format_event_time,
    format_local_date,
    mark_request_arrival,
)
from consult.consultations.status import commenting_status, heading_html
from consult.consultations.views import bp as consultations_bp
from consult.dispositions.views import bp as dispositions_bp
from consult.forms import ActionForm
from consult.main.views import bp as main_bp
from consult.moderation.views import bp as moderation_bp
from consult.notifications import jobs as email_jobs
from consult.notifications import subscribers as notification_subscribers
from consult.notifications.views import bp as notifications_bp
from consult.policy.site import abilities_of
from consult.responses import subscribers as response_subscribers
from consult.responses.views import bp as responses_bp
from consult.security import init_security
from consult.site_policies.views import bp as site_policies_bp
from consult.summaries import services as summary_services
from consult.summaries import subscribers as summary_subscribers
from consult.summaries.narrative_views import bp as narrative_bp
from consult.summaries.views import bp as summaries_bp
from consult.text import render_markdown, stored_html
from consult.tracking import subscribers as tracking_subscribers
from consult.tracking.views import bp as tracking_bp


class Consult(Flask):
    """Flask, with each view run again when its transaction met a lock conflict."""

    def dispatch_request(self):
        return transactions.with_retries(super().dispatch_request)


def create_app(config_object=Config, **overrides):
    """Create the Consult application."""
    app = Consult(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(overrides.get("INSTANCE_DIR", config_object.INSTANCE_DIR)),
    )
    app.config.from_object(config_object)
    app.config.update(overrides)
    config_object.check(app.config)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware; its stubs declare a method here.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )

    register_extensions(app)
    register_subscribers()
    register_url_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    if not app.testing:
        # At the first request each process serves: commands never serve one, and a
        # server that forks workers after loading the app (gunicorn --preload) counts
        # each worker, not the parent.
        app.before_request(workers.register_once)
    return app


def register_extensions(app):
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(BASE_DIR / "migrations"), render_as_batch=True
    )
    extensions.babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(BASE_DIR / "consult" / "translations"),
    )
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    extensions.limiter.init_app(app)
    init_login(app)

    with app.app_context():
        transactions.configure_sqlite(extensions.db.engine, app.config)


def register_subscribers():
    """Connect the lifecycle subscribers, layer by layer, lowest first: receivers run in
    the order they were connected (see consult/events.py). Connecting twice is harmless."""
    tracking_subscribers.subscribe()
    campaigns.subscribe()
    response_subscribers.subscribe()
    summary_subscribers.subscribe()
    email_jobs.subscribe()  # after every commit that queued email: deliver it
    notification_subscribers.subscribe()  # last: everything below has reacted


def register_url_converters(app):
    """Before the blueprints: their routes name the converters (``<number:...>``)."""
    routing.register_url_converters(app)


def register_blueprints(app):
    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/admin/audit")
    app.register_blueprint(consultations_bp, url_prefix="/consultations")
    app.register_blueprint(tracking_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(commitments_bp)
    app.register_blueprint(dispositions_bp)
    app.register_blueprint(site_policies_bp)
    app.register_blueprint(summaries_bp)
    app.register_blueprint(narrative_bp)
    app.register_blueprint(notifications_bp)


def register_error_handlers(app):
    errors.register_error_handlers(app)


def register_request_hooks(app):
    init_security(app)
    app.before_request(routing.refuse_nul_in_address)
    app.before_request(mark_request_arrival)  # "open" is judged when the request arrived
    app.before_request(summary_services.freeze_on_request)  # the first request after a close


def register_template_helpers(app):
    """Every template filter and global, registered here once: formatting and display
    only. Templates get no query helper and no form class; what the rules decided comes
    from the views, and the role-level abilities as ``may`` (a test walks the templates
    to keep it so)."""
    filters = {
        "markdown": render_markdown,
        "stored_html": stored_html,
        "local_date": format_local_date,
        "local_instant": format_event_time,
    }
    helpers = {
        "commenting_status": commenting_status,
        "heading_html": heading_html,
        "company_slug": company_slug,
        "amendment_preview": display.amendment_preview,
        "amendment_segments": display.amendment_segments,
        "local_time": display.local_time,
        # What each visibility level publishes: one source for every page that says it.
        "visibility_level_texts": levels.level_texts,
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
    for name, function in helpers.items():
        app.add_template_global(function, name)
    i18n.register_template_helpers(app)

    @app.context_processor
    def _abilities():
        signed_in = getattr(current_user, "is_authenticated", False)  # None in emails
        return {
            "may": abilities_of(current_user),
            "signout_form": ActionForm(prefix="signout") if signed_in else None,
        }


def register_commands(app):
    cli.register(app)
