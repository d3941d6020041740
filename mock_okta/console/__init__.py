"""The Admin Console's page models: what each page shows and how its forms map onto the domain.

Plain functions over the database (no request, no Flask), shared by the `views/console_*`
blueprints and tested on their own.
"""
