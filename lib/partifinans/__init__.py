"""partifinans: Swedish party finance reports as data."""
__version__ = "0.1.0"
