"""Templates display; they never query, build forms or decide permissions.

Every template is parsed and every call and attribute in it checked against what the
app registers: a call to a query helper or a service, a form class or a module of forms,
or a role check on ``current_user`` fails the test. Views hand templates ready data,
and role-level abilities come as ``may`` (consult.policy.site).
"""

import inspect
import re
import types
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from jinja2 import Environment, nodes
from wtforms import Form

from config import BASE_DIR

TEMPLATES = BASE_DIR / "templates"
ROLE_CHECKS = {
    "is_coordinator",
    "is_company_rep",
    "is_privacy_officer",
    "is_stakeholder",
    "can_act",
}
# Queries and services run SQL; forms are built by views; rules (consult.policy and the
# role checks in consult.permissions) are applied by views before rendering.
FORBIDDEN_MODULES = re.compile(
    r"\.(queries|services|actions|forms|drilldown|tracker)$|^consult\.(policy|permissions)\b"
)


def _is_form(value) -> bool:
    return inspect.isclass(value) and issubclass(value, (Form, FlaskForm))


def forbidden_reason(name: str, value) -> str | None:
    """Why a template must not call ``value`` (registered as ``name``), or None."""
    if isinstance(value, types.ModuleType):
        return f"{name} is a module ({value.__name__}) handed to templates"
    if _is_form(value):
        return f"{name} constructs a form"
    module = getattr(value, "__module__", "") or ""
    if callable(value) and FORBIDDEN_MODULES.search(module):
        return f"{name} is a query helper, service or rule ({module})"
    return None


def _base_name(node):
    while isinstance(node, nodes.Getattr):
        node = node.node
    return node.name if isinstance(node, nodes.Name) else None


def template_problems(env: Environment, source: str) -> list[str]:
    """Every forbidden call or role check in one template's source."""
    tree = env.parse(source)
    problems = []
    for call in tree.find_all(nodes.Call):
        name = _base_name(call.node)
        if name is None or name not in env.globals:
            continue  # a macro, a loop variable or a method of ready data
        reason = forbidden_reason(name, env.globals[name])
        if reason:
            problems.append(reason)
    for attribute in tree.find_all(nodes.Getattr):
        if attribute.attr in ROLE_CHECKS and _base_name(attribute) == "current_user":
            problems.append(f"current_user.{attribute.attr} decides a permission")
    return problems


def _templates():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_queries_builds_a_form_or_checks_a_role(app, path: Path):
    assert template_problems(app.jinja_env, path.read_text()) == []


def test_every_registered_global_and_filter_is_a_display_helper(app):
    registered = {**app.jinja_env.globals, **app.jinja_env.filters}
    problems = [forbidden_reason(name, value) for name, value in registered.items()]
    assert [p for p in problems if p] == []


def test_context_processors_hand_templates_no_forms_classes_or_modules(app, client):
    with app.test_request_context("/"):
        context = {}
        for processor in app.template_context_processors[None]:
            context.update(processor())
    problems = [forbidden_reason(name, value) for name, value in context.items()]
    assert [p for p in problems if p] == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% set v = thread_requests(comment, current_user) %}", "query helper"),
        ("{{ forms.RejoinderForm(prefix='x').hidden_tag() }}", "module"),
        ("{{ RejoinderForm().hidden_tag() }}", "constructs a form"),
        ("{% if current_user.is_coordinator %}tools{% endif %}", "decides a permission"),
        ("{% if can_read_body(viewer, comment) %}text{% endif %}", "rule"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(app, source, expected):
    from consult.policy.comments import can_read_body
    from consult.responses import forms, queries

    env = app.jinja_env.overlay()
    env.globals.update(
        thread_requests=queries.thread_requests,
        forms=forms,
        RejoinderForm=forms.RejoinderForm,
        can_read_body=can_read_body,
    )
    problems = template_problems(env, source)
    assert problems and expected in problems[0]


TRANSLATION_FUNCTIONS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def rebound_translation_functions(env: Environment, source: str) -> list[str]:
    """Every ``{% set _ = ... %}``, loop variable or macro argument that hides a
    translation function: the next ``_("...")`` would call the value instead."""
    tree = env.parse(source)
    stored = [n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")]
    return sorted(name for name in stored if name in TRANSLATION_FUNCTIONS)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_hides_the_translation_functions(app, path: Path):
    assert rebound_translation_functions(app.jinja_env, path.read_text()) == []


def test_the_checker_catches_a_hidden_translation_function(app):
    source = '{% set _ = args.update(page=2) %}{% for _ in rows %}{% endfor %}{{ _("Next") }}'
    assert rebound_translation_functions(app.jinja_env, source) == ["_", "_"]
