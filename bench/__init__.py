"""Benchmarks for access: run them with ``python3 dev.py bench`` (``--quick`` for tiny inputs).

Each benchmark is a module ``bench/<name>.py`` exposing ``run(quick: bool = False) ->
pandas.DataFrame`` with the columns of :data:`bench.common.COLUMNS`; :mod:`bench.run` lists them.
Timings are not tests: nothing in the test suite depends on them.
"""
