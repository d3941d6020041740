"""Placeholder until the views land."""

from flask import Blueprint

bp = Blueprint("groups_api", __name__)
