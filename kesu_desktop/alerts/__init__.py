"""Deadline watching: the scan (plain Python, ``watcher``) and its Qt thread wrapper (``qt``)."""
