"""The graph layer: op vocabulary, nodes, semantics table, dtype/shape inference, views.

Imports nothing of lazynp's above it (docs/design.md: imports point down the data flow).
"""
