from mock_sonar.cli import cli

cli()
