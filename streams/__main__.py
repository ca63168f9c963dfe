"""``python -m streams`` runs the ``mttr`` command line."""

from streams.cli import main

main()
