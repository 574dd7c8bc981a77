"""Kumoben's simulation engine: pure Python, no Django, Channels or graphviz."""
