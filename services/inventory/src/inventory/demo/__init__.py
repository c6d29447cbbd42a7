"""The demo foundation data set (`python -m inventory data demo`)."""
