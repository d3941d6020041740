"""SQL LIKE patterns from text a user typed: the text matched literally, not as wildcards."""

#: The escape character the patterns use: `... like :pattern escape '\\'`.
ESCAPE = "\\"


def starts_with(text: str) -> str:
    """A LIKE pattern for values that start with `text` (`%` and `_` in it match themselves);
    use with `escape '\\'`. SQLite's LIKE ignores ASCII case."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"
