"""Contenders of the pipeline benchmark, one module each (see bench/pipeline/contract.py)."""
