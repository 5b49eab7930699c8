"""Benchmarks of Kesu Desk against the bare building blocks it stands on (``python -m benchmarks``).

Every figure is a ratio measured in the same run on the same machine — register_case against a bare
INSERT + COMMIT, list_cases search against a bare ``LIKE`` scan, a printed letter against a bare
ReportLab page in the same font — because absolute milliseconds say more about the laptop than about
the code. Nothing here asserts a threshold; see docs/benchmarks.md.
"""
