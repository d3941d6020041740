"""Placeholder until the views land."""

from flask import Blueprint

bp = Blueprint("api_groups", __name__)
