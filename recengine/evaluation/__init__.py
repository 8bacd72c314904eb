"""Offline evaluation of recall models: data files, splits, ranking metrics.

Everything here is plain numpy and scipy and runs without a database, so the same
protocol serves the ``evaluate`` command, the benchmarks and the training pipeline.
"""
