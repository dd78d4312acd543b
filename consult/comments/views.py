"""Comment pages: writing, receipts, threads, and what authors and readers do on them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import throttle
from consult.comments import display, forms, queries, services
from consult.comments.models import Campaign, CommentKind, Reply, ReplyIdentity
from consult.consultations import versions
from consult.consultations.models import Consultation, Paragraph
from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.db import required
from consult.dispositions import display as disposition_display
from consult.dispositions import services as disposition_services
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ActionForm
from consult.idempotency import AlreadyDone
from consult.mail import email_on_its_way
from consult.moderation import forms as moderation_forms
from consult.notifications.buttons import follow_button
from consult.notifications.follows import Target, section_key
from consult.notifications.models import FollowTarget
from consult.permissions import (
    login_required,
    public,
    require,
    require_found,
)
from consult.policy.comments import (
    can_comment,
    can_cosign,
    can_decide_late_comments,
    can_read_body,
    can_reply,
    can_reveal_identity,
    can_withdraw_cosignature,
)
from consult.policy.moderation import can_flag, can_moderate, can_suspend_author
from consult.policy.responses import can_manage_requests
from consult.responses import forms as response_forms
from consult.responses import queries as response_queries
from consult.routing import page_cursor
from consult.site_policies import services as site_policies

bp = Blueprint("comments", __name__)


def _consultation(slug) -> Consultation:
    return visible_consultation_or_404(slug, current_user)


def _comment(reference):
    return queries.comment_or_404(reference, current_user)


def _target(consultation, key):
    """The current version and the paragraph (None: the whole draft) being commented on."""
    version = require_found(versions.latest_published_version(consultation))
    if key is None:
        return version, None
    paragraph = db.session.scalar(
        db.select(Paragraph).where(Paragraph.version_id == version.id, Paragraph.stable_key == key)
    )
    require(paragraph is not None)
    return version, paragraph


def _field_errors(form, problems):
    for name, message in problems.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


def _rate_limited(user, submission_key: str) -> bool:
    """The person's comment and reply limits are used up.

    One submission counts once: the same form sent twice at the same instant (a double
    click reaching two workers) is let through to the database, which stores it once
    (its submission key), so both answers show the result instead of one a 429.
    """
    identity = str(user.id)
    # Seen within the burst window already (at most as often as the limit allows): a
    # repeat of one submission, not a new one.
    if not throttle.hit("COMMENT_LIMIT_BURST", "comment-once", f"{identity}:{submission_key}"):
        return False
    return not (
        throttle.hit("COMMENT_LIMIT_BURST", "comment-burst", identity)
        and throttle.hit("COMMENT_LIMIT_HOURLY", "comment-hourly", identity)
    )


@bp.route("/consultations/<slug>/p/<key>/comment", methods=["GET", "POST"])
@bp.route("/consultations/<slug>/comment", methods=["GET", "POST"], defaults={"key": None})
@login_required
def new(slug, key):
    consultation = _consultation(slug)
    version, paragraph = _target(consultation, key)
    if not can_comment(current_user):
        abort(403)
    now = request_time()
    is_open = services.commenting_is_open(consultation, now)
    late = not is_open and services.accepts_late_comments(consultation, now)
    form = forms.CommentForm(companies=consultation.companies)
    policies = site_policies.current_version()
    if not form.is_submitted():
        form.policy_version.data = site_policies.version_token(policies)
    context = dict(
        consultation=consultation,
        version=version,
        paragraph=paragraph,
        form=form,
        is_open=is_open,
        late=late,
        preview=None,
        policies=policies,
    )
    if not form.is_submitted():
        return render_template("comments/new.html", **context), 200 if is_open or late else 409
    if not (is_open or late):
        flash(_("Commenting is not open. Your text is kept below so you can copy it."), "error")
        return render_template("comments/new.html", **context), 409
    if form.validate():
        draft = services.Draft(
            kind=CommentKind(form.kind.data),
            body=form.body.data,
            visibility=form.visibility,
            display=form.display.data,
            proposed_text=form.proposed_text.data or None,
            company_ids=form.companies.data or [],
            to_coordinators=form.addressed_to.data == "coordinators",
        )
        problems = services.check_draft(draft, consultation)
        _field_errors(form, problems)
        if form.submit.data and not form.understood.data:
            form.understood.errors = [
                _(
                    "Please confirm that you understand who will read "
                    "this and how you will be shown."
                )
            ]
        elif form.submit.data and not problems:
            earlier = services.find_submission(current_user, form.submission_key.data)
            if earlier is not None:  # a double click or a resend: the same receipt
                return redirect(url_for("comments.receipt", reference=earlier.reference))
            acknowledged = site_policies.acknowledgement(form.policy_version.data)
            if acknowledged.changed:
                # Confirmed against other policies than those now in force: ask again.
                _policies_changed(form, acknowledged.version)
                context["policies"] = acknowledged.version
                return render_template("comments/new.html", **context), 409
            if acknowledged.version is not None:
                draft.policy_version_id = acknowledged.version.id
            if _rate_limited(current_user, form.submission_key.data):
                flash(
                    _(
                        "You are commenting very fast. Wait a moment and publish again; "
                        "your text is kept."
                    ),
                    "error",
                )
                return render_template("comments/new.html", **context), 429
            comment = services.post_comment(
                consultation,
                draft,
                author=current_user,
                submission_key=form.submission_key.data,
                paragraph=paragraph,
                version=version,
                now=now,
            )
            db.session.commit()
            return redirect(url_for("comments.receipt", reference=comment.reference))
        if not form.errors and form.preview.data:
            context["preview"] = draft
            return render_template("comments/new.html", **context), 200
    return render_template("comments/new.html", **context), 422


def _policies_changed(form, version):
    form.policy_version.data = site_policies.version_token(version)
    form.understood.data = False
    form.understood.errors = [
        _(
            "The site's policies changed while you were writing (now version %(n)s). "
            "Your text is kept: read what changed, then confirm again.",
            n=version.number if version is not None else "–",
        )
    ]


@bp.route("/comments/<reference>/receipt")
@login_required
def receipt(reference):
    comment = _comment(reference)
    require(comment.author_id == current_user.id)
    consultation = db.session.get(Consultation, comment.consultation_id)
    # "Emailed" only when the message is durably queued or sent and its address was not
    # refused; otherwise the page says the receipt is on screen only.
    emailed = email_on_its_way(services.receipt_topic(comment))
    return render_template(
        "comments/receipt.html",
        comment=comment,
        consultation=consultation,
        emailed=emailed,
        policies=site_policies.version_by_id(comment.policy_version_id),
    )


@bp.route("/consultations/<slug>/p/<key>/comments")
@bp.route("/consultations/<slug>/comments", defaults={"key": None})
@public
def thread(slug, key):
    consultation = _consultation(slug)
    paragraph = None
    if key is not None:
        paragraph = versions.resolve_permalink(consultation, key, current_user)
        require(paragraph is not None)
    page = queries.thread_page(
        current_user,
        consultation_id=consultation.id,
        stable_key=key,
        whole_draft=key is None,
        after=page_cursor(request.args),
    )
    return render_template(
        "comments/thread.html",
        consultation=consultation,
        paragraph=paragraph,
        key=key,
        page=page,
        shown=display.present(current_user, consultation.timezone, comments=page.comments),
        follows=_place_buttons(consultation, paragraph),
    )


def _place_buttons(consultation, paragraph):
    """Follow this paragraph (in every version) and its section; the consultation on
    the whole draft's thread."""
    if paragraph is None:
        target = Target(FollowTarget.CONSULTATION, consultation_id=consultation.id)
        return [follow_button(current_user, target, slug=consultation.slug)]
    buttons = []
    if not (paragraph.is_heading and paragraph.is_section):
        target = Target(
            FollowTarget.PARAGRAPH,
            consultation_id=consultation.id,
            stable_key=paragraph.stable_key,
        )
        buttons.append(
            follow_button(current_user, target, slug=consultation.slug, key=paragraph.stable_key)
        )
    heading = section_key(paragraph)
    if heading:
        target = Target(FollowTarget.SECTION, consultation_id=consultation.id, stable_key=heading)
        buttons.append(follow_button(current_user, target, slug=consultation.slug, key=heading))
    return buttons


@bp.route("/comments/<reference>")
@public
def show(reference):
    comment = _comment(reference)
    consultation = db.session.get(Consultation, comment.consultation_id)
    return render_template("comments/show.html", **_show_context(comment, consultation))


def _show_context(comment, consultation, **forms_given):
    user = current_user
    is_author = user.is_authenticated and user.id == comment.author_id
    now = request_time()
    context = dict(
        comment=comment,
        consultation=consultation,
        disposition=disposition_display.shown_for_comment(
            disposition_services.disposition_of(comment), comment, consultation.timezone
        ),
        readable=can_read_body(user, comment),
        is_author=is_author,
        revisions=queries.revisions_of(comment) if services.is_engaged(comment) else [],
        replies=queries.replies_of(comment),
        is_open=services.commenting_is_open(consultation, now),
        can_reply=user.is_authenticated and can_reply(user, comment),
        can_cosign=user.is_authenticated and can_cosign(user, comment),
        action_form=ActionForm(),
        reply_form=forms.ReplyForm(),
        cosign_form=forms.CosignForm(),
        may_flag=can_flag(user, comment) and not is_author,
        may_withdraw_cosignature=can_withdraw_cosignature(user, comment),
        flag_form=moderation_forms.FlagForm(),
        follow=None
        if is_author
        else follow_button(
            user,
            Target(FollowTarget.COMMENT, comment_id=comment.id),
            reference=comment.reference,
        ),
    )
    context.update(_responses_context(comment, now, forms_given))
    context.update(_moderation_context(comment))
    rejoinders = [r for v in context["request_views"] for rs in v.rejoinders.values() for r in rs]
    context["shown"] = display.present(
        user,
        consultation.timezone,
        comments=[comment],
        replies=[*context["replies"], *rejoinders],
    )
    if is_author:
        companies = consultation.companies
        context.update(
            edit_form=forms.EditCommentForm(obj=comment),
            withdraw_form=forms.WithdrawForm(),
            visibility_form=forms.VisibilityForm(
                companies=companies,
                data={
                    "audience": forms.audience_for(comment.visibility),
                    "display": comment.display.value,
                    "companies": [c.id for c in comment.addressees],
                },
            ),
            companies_form=forms.AddCompaniesForm(
                companies=[c for c in companies if c not in comment.addressees]
            ),
            cosigning_form=forms.CosigningSettingsForm(
                data={
                    "closed": comment.cosigning_closed,
                    "show_named": comment.show_named_cosigners,
                }
            ),
            invite_form=forms.InviteCosignerForm(),
        )
    context.update(forms_given)
    return context


def _responses_context(comment, now, forms_given):
    """The company answers in the thread, what this viewer may read of them, and a
    reply form under each answer they may reply to (the refused one keeps its text)."""
    views = response_queries.thread_requests(comment, current_user, now)
    rejoinder_forms = {
        response.reference: response_forms.RejoinderForm(prefix=f"rejoin-{response.reference}")
        for view in views
        if view.can_rejoin
        for response in view.responses
    }
    if "rejoinder_form" in forms_given:
        rejoinder_forms[forms_given["rejoinder_for"]] = forms_given["rejoinder_form"]
    return dict(
        request_views=views,
        rejoinder_forms=rejoinder_forms,
        may_manage_requests=can_manage_requests(current_user),
    )


def _moderation_context(comment):
    """Moderation tools for coordinators; identity tools for privacy officers only."""
    user = current_user
    if not can_moderate(user):
        return dict(may_moderate=False)
    return dict(
        may_moderate=True,
        restore_form=moderation_forms.RestoreForm(),
        hide_form=moderation_forms.HideForm(),
        late_form=forms.LateDecisionForm(),
        may_decide_late=can_decide_late_comments(user),
        may_suspend_author=can_suspend_author(user, comment),
        offer_reveal=can_reveal_identity(user) and comment.visibility != "public",
        reveal_form=forms.ReasonForm(prefix="reveal"),
    )


def render_comment_page(comment, status, **forms_given):
    consultation = db.session.get(Consultation, comment.consultation_id)
    return render_template(
        "comments/show.html", **_show_context(comment, consultation, **forms_given)
    ), status


class TooFast(DomainError):
    status_code = 429


def _act(reference, make_form, form_name, error_field, act, done, anchor=None):
    """The shape of every action on a comment page: check the form, act, commit once;
    on any refusal re-show the page with the form, what was typed and the reason."""
    comment = _comment(reference)
    form = make_form(comment)
    if not form.validate_on_submit():
        return render_comment_page(comment, 422, **{form_name: form})
    try:
        act(comment, form)
    except AlreadyDone as exc:
        # Done already, by someone else (a colleague co-signed a moment ago): the page
        # as it now is, saying so; nothing more is recorded.
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("comments.show", reference=reference, _anchor=anchor), 303)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        if error_field is None:
            form.refuse(exc.message)
        else:
            getattr(form, error_field).errors = [exc.message]
        return render_comment_page(comment, exc.status_code, **{form_name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("comments.show", reference=reference, _anchor=anchor))


def _companies(comment):
    return required(db.session.get(Consultation, comment.consultation_id)).companies


@bp.route("/comments/<reference>/edit", methods=["POST"])
@login_required
def edit(reference):
    def act(comment, form):
        services.edit_comment(
            comment,
            author=current_user,
            body=form.body.data,
            proposed_text=form.proposed_text.data or None,
            now=request_time(),
        )

    return _act(
        reference,
        lambda _c: forms.EditCommentForm(),
        "edit_form",
        "body",
        act,
        _("Your comment is updated; the earlier text stays in its history."),
    )


@bp.route("/comments/<reference>/withdraw", methods=["POST"])
@login_required
def withdraw(reference):
    def act(comment, form):
        services.withdraw_comment(
            comment, author=current_user, remove_name=form.remove_name.data, now=request_time()
        )

    return _act(
        reference,
        lambda _c: forms.WithdrawForm(),
        "withdraw_form",
        "confirm",
        act,
        _("Your comment is withdrawn. Its text no longer appears anywhere."),
    )


@bp.route("/comments/<reference>/visibility", methods=["POST"])
@login_required
def visibility(reference):
    def act(comment, form):
        services.change_visibility(
            comment,
            author=current_user,
            visibility=form.visibility,
            display=form.display.data,
            company_ids=form.companies.data or [],
            now=request_time(),
        )

    return _act(
        reference,
        lambda c: forms.VisibilityForm(companies=_companies(c)),
        "visibility_form",
        "audience",
        act,
        _("Who may read your comment is changed."),
    )


@bp.route("/comments/<reference>/companies", methods=["POST"])
@login_required
def add_companies(reference):
    def act(comment, form):
        services.add_addressees(
            comment, author=current_user, company_ids=form.companies.data or [], now=request_time()
        )

    return _act(
        reference,
        lambda c: forms.AddCompaniesForm(companies=_companies(c)),
        "companies_form",
        "companies",
        act,
        _("The companies are added."),
    )


@bp.route("/comments/<reference>/cosigning", methods=["POST"])
@login_required
def cosigning(reference):
    def act(comment, form):
        services.set_cosigning(
            comment, author=current_user, closed=form.closed.data, show_named=form.show_named.data
        )

    return _act(
        reference,
        lambda _c: forms.CosigningSettingsForm(),
        "cosigning_form",
        "closed",
        act,
        _("Co-signing settings saved."),
    )


@bp.route("/comments/<reference>/invite", methods=["POST"])
@login_required
def invite(reference):
    def act(comment, form):
        services.invite_cosigner(comment, author=current_user, email=form.email.data)

    # The same answer whether or not the address belongs to an approved member.
    return _act(
        reference,
        lambda _c: forms.InviteCosignerForm(),
        "invite_form",
        "email",
        act,
        _(
            "If this address belongs to an approved member of another organisation, "
            "they are invited."
        ),
    )


@bp.route("/comments/<reference>/cosign", methods=["POST"])
@login_required
def cosign(reference):
    def act(comment, form):
        services.cosign_comment(
            comment,
            user=current_user,
            named=form.named.data == "named",
            submission_key=form.submission_key.data,
            now=request_time(),
        )

    return _act(
        reference,
        lambda _c: forms.CosignForm(),
        "cosign_form",
        "named",
        act,
        _("Your organisation has co-signed this comment."),
    )


@bp.route("/comments/<reference>/cosign/withdraw", methods=["POST"])
@login_required
def withdraw_cosignature(reference):
    def act(comment, form):
        services.withdraw_cosignature(comment, user=current_user, now=request_time())

    return _act(
        reference,
        lambda _c: ActionForm(),
        "action_form",
        None,  # a button: the page states the refusal above the comment
        act,
        _("Your organisation's co-signature is withdrawn."),
    )


@bp.route("/comments/<reference>/reply", methods=["POST"])
@login_required
def reply(reference):
    def act(comment, form):
        parent = None
        if form.parent.data:
            parent = db.session.scalar(
                db.select(Reply).filter_by(reference=form.parent.data, comment_id=comment.id)
            )
        if _rate_limited(current_user, form.submission_key.data):
            raise TooFast(
                _("You are writing very fast. Wait a moment and send again; your text is kept.")
            )
        services.post_reply(
            comment,
            author=current_user,
            body=form.body.data,
            identity=ReplyIdentity(form.identity.data),
            submission_key=form.submission_key.data,
            parent=parent,
            now=request_time(),
        )

    return _act(
        reference,
        lambda _c: forms.ReplyForm(),
        "reply_form",
        "body",
        act,
        _("Your reply is published."),
        anchor="replies",
    )


@bp.route("/campaigns/<reference>")
@public
def campaign(reference):
    group = db.first_or_404(db.select(Campaign).filter_by(reference=reference))
    members = queries.campaign_members(current_user, group)
    require(group.formed_at is not None and bool(members))

    consultation = required(db.session.get(Consultation, group.consultation_id))
    return render_template(
        "comments/campaign.html",
        campaign=group,
        members=members,
        consultation=consultation,
        shown=display.present(current_user, consultation.timezone, comments=members),
    )


@bp.route("/my/comments")
@login_required
def mine():
    comments = queries.my_comments(current_user)
    reveals = queries.identity_reveals(comments)
    found = disposition_services.dispositions_of(comments)
    dispositions = {c.id: found.get(c.id) for c in comments}
    return render_template(
        "comments/mine.html", comments=comments, reveals=reveals, dispositions=dispositions
    )
