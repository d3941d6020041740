"""Compiled templates kept for the process and shared by every app in it.

Jinja compiles a template (parse, generate Python, compile it) the first time an environment
loads it, and each Flask app has its own environment. Test suites build an app per test, so
the same pages were compiled again in each: ~2,000 compilations and ~13 s of a run of this
project's suite. Jinja's bytecode cache is the supported way to share the result: keyed by
the template's name and file, and checked against a checksum of its source, so an edited
template is compiled again.
"""

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class ProcessBytecodeCache(BytecodeCache):
    """Jinja bytecode held in memory for the life of the process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # dropped by Jinja if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: The process's cache (apps of both kinds: a key names the template's file).
COMPILED_TEMPLATES = ProcessBytecodeCache()
