"""Element structures of `tf.data`: an element is one value, a tuple or a
dict of them (nested). As in TF1, a list is a value (it becomes one tensor),
not a structure; dict entries are ordered by key."""


def flatten(structure):
    """The values of `structure`, in order."""
    if isinstance(structure, dict):
        return [v for key in sorted(structure) for v in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [v for item in structure for v in flatten(item)]
    return [structure]


def pack(structure, flat):
    """`structure` with its values replaced, in order, by those of `flat`."""
    values = iter(flat)
    packed = _pack(structure, values)
    if next(values, _END) is not _END:
        raise ValueError("more values than the structure holds")
    return packed


def map_structure(fn, structure):
    return pack(structure, [fn(v) for v in flatten(structure)])


_END = object()


def _pack(structure, values):
    if isinstance(structure, dict):
        items = {key: _pack(structure[key], values) for key in sorted(structure)}
        return type(structure)((key, items[key]) for key in structure)
    if isinstance(structure, tuple):
        items = [_pack(item, values) for item in structure]
        return type(structure)(*items) if hasattr(structure, "_fields") else tuple(items)
    return next(values)
