"""Placeholder until the views land."""

from flask import Blueprint

bp = Blueprint("v2_api", __name__)
