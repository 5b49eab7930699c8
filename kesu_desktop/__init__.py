"""Kesu Desk (客诉台): complaint handling for service counters."""

__version__ = "0.1.0"
