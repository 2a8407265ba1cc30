"""Use cases: each ``(..., uow) -> plain value``, committing once.

Pages call these and nothing below them. Exceptions come from ``builder.errors``.
"""
