"""Writing a user's file so that a crash never leaves half of it (one helper for the CLI and the GUI)."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename it into place.

    A crash, a full disk or a pulled USB stick then leaves either the old file or the complete new one,
    never half a letter under the real name. The temporary name is unique, so two saves cannot collide.
    """
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temp, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the original error is the one worth reporting
            temp.unlink(missing_ok=True)
        raise
