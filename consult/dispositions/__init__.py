"""Dispositions: what the coordinators did with each comment, amendment and campaign,
and why, published beside the comment and in a table per section."""
