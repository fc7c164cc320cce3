"""Keras-style identifiers: an activation, initializer, regularizer, constraint or
metric given by name is looked up in its module's table, with an error that
lists the names there are."""

__all__ = ["look_up"]


def look_up(identifier, table, kind):
    """`table[identifier]`, or a ValueError naming the unknown `kind` and the known ones."""
    try:
        return table[identifier]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {kind} {identifier!r}; known {kind}s: {sorted(table)}") from None
