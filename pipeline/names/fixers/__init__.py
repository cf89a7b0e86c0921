"""The fixers, one family per module: each a pure ``fixer(text, ctx=None) -> str``.

The same text and context always give the same result, and a fixer applied twice changes
nothing the second time. ``ctx`` is an optional :class:`~pipeline.names.context.PageContext`;
without it a fixer uses only the curated data. The order they run in is stated once, in
:mod:`pipeline.names.registry`.
"""
