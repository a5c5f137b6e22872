import re

from schemas.arrow import markdown
from tests.conftest import REPO


def readme():
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_schema_matches_the_code():
    section = readme().split("<!-- schema:start -->")[1].split("<!-- schema:end -->")[0]
    assert section.strip() == markdown().strip(), "run `python -m schemas README.md`"


def test_quickstart_has_exactly_two_commands_and_ci_runs_them():
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", readme(), re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2 and "news-ingest run" in commands[0] and "pytest" in commands[1]
    assert "Quickstart" in (REPO / ".ci" / "run").read_text()
