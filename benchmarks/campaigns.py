"""Campaign detection cost: comments matched per second, and comparisons made against
the all-pairs baseline. Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/campaigns.py [N]
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from config import Config  # noqa: E402
from consult import create_app  # noqa: E402
from consult.comments import campaigns  # noqa: E402
from consult.comments.models import Comment, Visibility  # noqa: E402
from consult.extensions import db  # noqa: E402


def main(total: int):
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.sqlite3'}",
        INSTANCE_DIR=str(folder),
        SECRET_KEY="benchmark",
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_COST=1024,
        ARGON2_PARALLELISM=1,
    )
    with app.app_context():
        upgrade()
        from consult.demo import load_demo_data

        data = load_demo_data()
        db.session.commit()
        people = [p for p in data["people"].values() if p.role == "stakeholder" and p.can_act]
        consultation_id, version_id = db.session.execute(
            db.text(
                "SELECT consultation_id, id FROM document_versions "
                "WHERE published_at IS NOT NULL LIMIT 1"
            )
        ).one()
        comparisons = 0
        real = campaigns._matches

        def counting(*args):
            nonlocal comparisons
            comparisons += 1
            return real(*args)

        campaigns._matches = counting
        start = time.perf_counter()
        for i in range(total):
            topic = i % 100
            body = f"Topic {topic}: " + " ".join(f"word{topic * 11 + k}" for k in range(40))
            person = people[i % len(people)]
            comment = Comment(
                consultation_id=consultation_id,
                version_id=version_id,
                author_id=person.id,
                organisation_id=person.organisation_id,
                category="civil_society",
                kind="comment",
                visibility=Visibility.PUBLIC,
                display="name",
                body=body,
                body_html=body,
                submission_key=f"bench-{i}",
            )
            db.session.add(comment)
            db.session.flush()
            campaigns.match_comment(comment)
        db.session.commit()
        elapsed = time.perf_counter() - start
    all_pairs = total * (total - 1) // 2
    print(f"comments matched:      {total}")
    print(f"seconds:               {elapsed:.2f}  ({total / elapsed:.0f} comments/s)")
    print(f"text comparisons:      {comparisons}")
    print(f"all-pairs comparisons: {all_pairs}")
    print(f"ratio:                 {comparisons / all_pairs:.5f} of all pairs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
