"""The command-line tools."""

import sqlalchemy as sa

from consult.accounts.models import User
from consult.extensions import db
from consult.permissions import Role


def test_create_coordinator_with_a_password_file(app, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("a coordinator passphrase\n")
    result = app.test_cli_runner().invoke(
        args=[
            "create-coordinator",
            "Chair@Example.org",
            "--privacy-officer",
            "--password-file",
            str(secret),
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "chair@example.org"))
    assert user.role == Role.COORDINATOR and user.is_privacy_officer


def test_create_coordinator_prompts_and_refuses_weak_passwords(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-coordinator", "c@example.org"], input="password1234\npassword1234\n"
    )
    assert result.exit_code != 0
    assert "most common" in result.output
    result = runner.invoke(
        args=["create-coordinator", "c@example.org"],
        input="a fine long passphrase\na fine long passphrase\n",
    )
    assert result.exit_code == 0, result.output


def test_demo_data_loads_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data", "--if-empty"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert count >= 10
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count
    names = db.session.scalars(sa.select(User.display_name)).all()
    assert all("(demo)" in name for name in names)  # labelled as demonstration data
