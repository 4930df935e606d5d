"""``python -m policybrief`` runs the ``brief`` command."""

from policybrief.cli import main

main()
