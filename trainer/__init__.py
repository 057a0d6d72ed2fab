"""Frontline: a call-centre training simulator with a local language model."""

__version__ = "0.1.0"
