"""docs/guide.md shows the pictures the guide's browser test takes, and only those."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_picture_the_walkthrough_links_exists_and_every_picture_is_shown():
    linked = set(re.findall(r"\]\(guide/([^)]+\.png)\)", (DOCS / "guide.md").read_text()))
    present = {path.name for path in (DOCS / "guide").glob("*.png")}
    assert linked
    assert linked - present == set(), "linked but missing: run ./devenv.sh screenshots"
    assert present - linked == set(), "taken but not shown in docs/guide.md"
