"""``python -m kesu_desktop`` is the ``kesu`` command."""

from kesu_desktop.cli.main import main

raise SystemExit(main())
