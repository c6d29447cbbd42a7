"""The appointment rules, free of I/O: territories, working days, windows, states, sandbox data."""
