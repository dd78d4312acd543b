"""The schema comes from the migrations, and they match the models (``flask db check``)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from consult.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_flask_db_check_passes(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
