from mock_okta.cli import cli

cli()
