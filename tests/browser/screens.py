"""Numbered screenshots of a browser test's steps."""

import re
from pathlib import Path


class Screens:
    """Numbered screenshots of a test's steps: test-output/browser/<test>/NN-<step>.png."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def shot(self, step: str, *, full_page: bool = True) -> Path:
        """The page, whole by default; `full_page=False` takes what the window shows (a list
        of thousands of rows makes a whole-page picture cost a second or more)."""
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
