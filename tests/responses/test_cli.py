"""``flask tracker SLUG [--csv]`` prints the published per-company table."""

import csv
import io

from consult.comments.models import Visibility


def test_tracker_command_prints_the_table_and_csv(app, world):
    for _ in range(5):
        world.post(Visibility.PUBLIC)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tracker", world.consultation.slug])
    assert result.exit_code == 0, result.output
    assert "Northwind" in result.output and "answer_rate" in result.output
    result = runner.invoke(args=["tracker", world.consultation.slug, "--csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["company"] for r in rows] == ["Northwind", "Southgate"]
    assert rows[0]["requests"] == "5" and rows[0]["awaiting"] == "5"
    assert rows[0]["answer_rate"] == "—"


def test_tracker_command_refuses_an_unknown_consultation(app):
    result = app.test_cli_runner().invoke(args=["tracker", "nope"])
    assert result.exit_code != 0 and "No consultation" in result.output
