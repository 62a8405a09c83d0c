"""``python -m investchn_spider`` runs the ``investchn`` command."""

from .cli import main

main()
