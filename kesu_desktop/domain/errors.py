"""Typed errors every layer raises and every front end (GUI, CLI) knows how to show.

They carry user-facing text, so a front end never has to show a traceback or invent wording.
"""

from __future__ import annotations

from collections.abc import Mapping


class KesuError(Exception):
    """Base of every error meant for the user."""


class ValidationError(KesuError):
    """Bad input, reported per field so forms can put each message next to its field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotAllowed(KesuError):
    """The actor's role, scope or the case's state forbids the action."""


class NotFound(KesuError):
    """A referenced object (case, user, department, category) does not exist.

    ``field`` names what the user gave (``case_no``), so the CLI can report it as a ``field: message``
    line like any other bad input; ``input`` when nothing more specific is known.
    """

    def __init__(self, message: str = "", *, field: str = "input") -> None:
        super().__init__(message)
        self.field = field


class Conflict(KesuError):
    """The action clashes with existing data (a duplicate name, a concurrent change); ``field`` as above."""

    def __init__(self, message: str = "", *, field: str = "input") -> None:
        super().__init__(message)
        self.field = field


class StaleCase(Conflict):
    """The case changed since the actor loaded it (another desk wrote to it); nothing was written.

    ``lines`` say, one per event written since, who changed what and when (the timeline's words), so
    the user can decide to re-apply against ``version`` (the case's version now) or abandon.
    """

    def __init__(self, message: str = "", *, lines: list[str] | None = None, version: str = "") -> None:
        super().__init__(message, field="version")
        self.lines: list[str] = list(lines or [])
        self.version = version


class AuthenticationFailed(KesuError):
    """Unknown user or wrong password; deliberately does not say which."""
