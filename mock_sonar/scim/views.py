"""Placeholder."""

from flask import Blueprint

bp = Blueprint("scim", __name__)
