"""Inventory rules without I/O: items, locations, quantities, backorders, substitutions, holds."""
