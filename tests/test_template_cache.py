"""Apps of a process share compiled templates; an edited template is compiled again."""

import jinja2
from flask import render_template

from mock_common.app import SimulatorApp


def test_apps_share_compiled_templates_and_an_edited_one_is_compiled_again(tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    page.write_text("Hello {{ name }}")
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, *args, **kwargs):
        compiled.append(source)
        return compile_source(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)

    def render_in_a_new_app() -> str:
        app = SimulatorApp(__name__, template_folder=str(tmp_path))
        with app.app_context():
            return render_template("page.html", name="Ada")

    assert render_in_a_new_app() == "Hello Ada"
    assert render_in_a_new_app() == "Hello Ada"
    assert compiled == ["Hello {{ name }}"]  # the second app loaded the first one's code
    page.write_text("Goodbye {{ name }}")
    assert render_in_a_new_app() == "Goodbye Ada"
    assert compiled == ["Hello {{ name }}", "Goodbye {{ name }}"]
