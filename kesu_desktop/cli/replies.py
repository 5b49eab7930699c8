"""``kesu`` sub-commands (being written)."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Adds nothing yet."""
