"""Report layouts the reader was not written against: a foreign corpus and a layout-variation generator."""
