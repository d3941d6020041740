"""No page depends on a font having a symbol or emoji glyph: icons are inline SVG.

Debian's chromium (and many Linux desktops) has no emoji font: a wastebasket or ballot-box glyph
renders as an empty box. Typographic punctuation (ellipsis, dashes, quotes, bullets) in the
products' own texts is fine: every text font has it.
"""

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(
    path
    for app in ("mock_okta", "mock_sonar")
    for folder in ("templates", "static")
    for path in (ROOT / app / folder).rglob("*")
    if path.suffix in (".html", ".css", ".js")
)
#: Emoji, pictographs, dingbats, geometric shapes and other symbol blocks, plus the emoji
#: variation selector: glyphs that only symbol or emoji fonts carry.
FONT_DEPENDENT = re.compile("[\u2300-\u23ff\u2460-\u27bf\u2900-\u2bff\ufe0f\U0001f000-\U0001faff]")


def _decoded(line: str) -> str:
    """The characters a line draws: HTML entities (`&#10004;`) and CSS escapes (`\\25C9`)."""
    css = re.sub(r"\\([0-9A-Fa-f]{2,6}) ?", lambda m: chr(int(m.group(1), 16)), line)
    return html.unescape(css)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_icon_is_a_font_glyph(template):
    found = [
        f"line {number}: U+{ord(match.group()):04X}"
        for number, line in enumerate(template.read_text().splitlines(), 1)
        for match in FONT_DEPENDENT.finditer(_decoded(line))
    ]
    assert not found, f"use an inline SVG icon instead of: {', '.join(found)}"
