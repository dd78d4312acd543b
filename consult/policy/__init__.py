"""Every "may this person see or do this" rule of Consult, and nothing else.

One module per layer of the domain, so that each layer's services can apply its own
rules without importing a layer above it:

- ``consult.permissions``: the roles and role checks every rule is made of;
- ``consultations``: reading a consultation and its versions;
- ``comments``: reading a comment, its text, its author's display and its exact time;
  reading a reply; commenting, co-signing, replying, changing one's own comment;
- ``responses``: reading a company answer or decline, seeing a request, answering,
  replying to a company, managing requests;
- ``commitments``: a commitment's full text, recording, proposing and confirming one;
- ``moderation``: flagging, moderating, revealing an identity, suspending an author;
- ``tracking``: keeping the timeline and posting updates; which updates are public;
- ``site_policies``: writing the policies page; which of its versions are public.

Where lists, counts, feeds and exports need a rule, it has an SQL form beside its object
form (``can_view_comment`` / ``visible_comments_clause``), and a property test checks
that the two agree on generated data. Rules read models and roles only: they never
call a service, a view or a form (an import-linter contract checks it), and templates
receive what they decided instead of deciding themselves.
"""
