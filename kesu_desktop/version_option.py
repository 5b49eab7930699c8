"""``--version`` for both programs (``kesu`` and ``kesu-desk``), read only when asked for.

Reading the version (``pyproject.toml`` or the installed metadata) costs a file read or
``importlib.metadata``; as an argparse action it is paid by ``--version`` alone, not on every start.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from kesu_desktop import read_version
from kesu_desktop.i18n import _


def add_version_option(parser: argparse.ArgumentParser, program: str) -> None:
    """Add ``--version``: prints ``<program> <version>`` and exits 0."""

    class ShowVersion(argparse.Action):
        def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
            kwargs["default"] = argparse.SUPPRESS  # no ``version`` attribute in the parsed options
            super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

        def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
            print(f"{program} {read_version()}")
            parser.exit()

    parser.add_argument("--version", action=ShowVersion, help=_("显示版本号后退出"))
