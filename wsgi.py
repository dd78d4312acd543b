"""WSGI entry point: ``gunicorn wsgi:app``; the Flask CLI finds it by itself."""

from consult import create_app

app = create_app()
