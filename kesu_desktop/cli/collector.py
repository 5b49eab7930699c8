"""The cyclic garbage collector during a command's start and exit.

A command spends most of its start importing SQLAlchemy and the models: hundreds of thousands of
long-lived objects, none of them garbage. The collector, left on, walks them again and again while
they load, and once more in full when the interpreter exits; on ``kesu list --limit 1`` that was a
third of the whole process (docs/benchmarks.md, start-up). So the collector is off until the
database is open (the imports are then done), the objects made so far are frozen out of every later
collection, and it runs as usual for the command's own work, however long. The same freeze before
exit leaves the final collection almost nothing to walk.

A command that never opens a database (``--help``, ``--version``, a bad argument) runs without the
collector: it is short, and reference counting still frees everything that is not in a cycle.
"""

from __future__ import annotations

import gc

#: Whether ``starting`` turned the collector off (and ``imports_done`` has yet to turn it on).
_held = False


def starting() -> None:
    """Before the first import of the command's work (only in a process of its own: ``main()``
    called from other code, such as the tests, leaves that process's collector alone)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def imports_done() -> None:
    """Once the database is open: freeze what start-up made, collect as usual from here on."""
    global _held
    if _held:
        gc.freeze()
        gc.enable()
        _held = False


def exiting() -> None:
    """Just before the process ends: nothing made so far needs the exit's full collection."""
    gc.freeze()
