"""The graph layer: op vocabulary, nodes, semantics table, dtype/shape inference, views.

Imports nothing of lazynp's above it (DESIGN: imports point down the data flow).
"""
