"""The data: sources, CSV reading, datasets."""
