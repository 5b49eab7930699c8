"""Tools for developers and demos, never part of the product: nothing in kesu_desktop imports this.

``python -m kesu_desktop.devtools seed-demo`` fills a database with realistic synthetic complaints
(``seed.py``, from the generator in ``demo_data.py``) for demos, screenshots and the benchmarks. It writes
through the services' own rules and payload functions, only in batches.
"""
