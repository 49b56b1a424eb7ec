"""Built-in schemes, labels and message templates, shipped as package data."""
