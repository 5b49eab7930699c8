"""Run the desktop app from a source checkout: ``python main.py [--db URL] [--user NAME]``."""

from kesu_desktop.app import main

raise SystemExit(main())
