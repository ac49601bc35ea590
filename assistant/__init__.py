"""Isnad's answering core (service facade, retrieval, evidence, answers, claims) and its CLI, UI and evaluation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("isnad")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
