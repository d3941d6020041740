"""`./devenv.sh demo` runs the guide against running apps, twice in a row."""

from click.testing import CliRunner

from mock_okta.config import DEFAULT_API_TOKEN
from okta_sonar_devenv.demo import main


def test_demo_runs_the_guide_and_can_run_again(world):
    args = [
        "--sonar-url",
        world.sonar_url,
        "--okta-url",
        world.okta_url,
        "--okta-token",
        DEFAULT_API_TOKEN,
    ]
    for _ in range(2):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "✗" not in result.output
        assert "The guide ran to its end" in result.output
        assert result.output.count("✓") == 12


def test_demo_reports_a_failed_step(world):
    result = CliRunner().invoke(
        main,
        ["--sonar-url", world.sonar_url, "--okta-url", world.okta_url, "--okta-token", "wrong"],
    )
    assert result.exit_code == 1
    assert "answered 401" in result.output
