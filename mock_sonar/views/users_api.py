"""Placeholder until the views land."""

from flask import Blueprint

bp = Blueprint("users_api", __name__)
