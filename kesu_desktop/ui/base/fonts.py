"""The bundled Chinese font (WenQuanYi Micro Hei), so Chinese renders on machines without one.

A counter PC with an English Windows image, a minimal Linux or a CI runner may have no CJK font at all;
every label would then be boxes. Bundling one font and making it the application default removes that
dependency. A missing font file is logged and tolerated: the system fonts are still better than no app.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from kesu_desktop.paths import resources_dir

FONT_FILE = "fonts/wqy-microhei.ttc"
_log = logging.getLogger(__name__)


def register_bundled_font(app: QApplication) -> bool:
    """Register the bundled font and make it the default family; False (and a log line) if it cannot."""
    path = resources_dir() / FONT_FILE
    if not path.is_file():
        _log.warning("bundled font missing: %s", path)
        return False
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        _log.warning("could not load bundled font: %s", path)
        return False
    # The collection holds a proportional and a "Mono" face; the UI wants the proportional one.
    family = next((f for f in families if "mono" not in f.lower()), families[0])
    font = app.font()
    font.setFamilies([family])
    app.setFont(font)
    return True
