"""The Qt front end: the only layer that imports Qt widgets.

Widgets never open a database session; they call ``kesu_desktop.services`` through ``ui.tasks`` so no
query runs on the GUI thread.
"""
