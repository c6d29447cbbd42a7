"""`python -m inventory data|stock|batch-window ...`: operator commands (see the README)."""
