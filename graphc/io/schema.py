"""The graph file format's version, its limits, and the checks every loader
uses: a file that is not what it claims fails with `GraphFileError`, saying
where in the document (`ops[3].attrs.value`) and what was expected.

The limits bound what a crafted file can make a reader allocate or recurse
through; a real graph is far below each of them."""

FORMAT_VERSION = 1
GRAPH_FORMAT = "graphc.GraphDef"
META_GRAPH_FORMAT = "graphc.MetaGraphDef"

MAX_FILE_BYTES = 1 << 30          # the JSON document
MAX_ARRAY_BYTES = 1 << 31         # one constant, inline or in the side .npz
MAX_OPS = 1 << 20
MAX_NESTING = 32                  # tuples in tuples in an attribute value
MAX_FUNCTION_NESTING = 16         # functions holding ops that hold functions (a loop in a branch in a loop...)
MAX_RANK = 64
MAX_DIM = 1 << 40


class GraphFileError(ValueError):
    """A graph file (or GraphDef) that cannot be read: corrupt, truncated,
    too large, of an unknown version, or describing an invalid graph."""


def fail(where, message):
    raise GraphFileError(f"{where}: {message}" if where else message)


def describe(value):
    """A short description of a JSON value for error messages."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def expect(value, kind, where, what=None):
    """`value` if it is a `kind` (bool is never taken for int); else fail."""
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    fail(where, f"expected {what or getattr(kind, '__name__', kind)}, got {describe(value)}")


def record(value, where, required, optional=()):
    """`value` as a JSON object having every `required` key and no key
    outside `required` and `optional`."""
    expect(value, dict, where, "an object")
    missing = [k for k in required if k not in value]
    if missing:
        fail(where, f"missing {', '.join(map(repr, missing))}")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        fail(where, f"unexpected {', '.join(map(repr, unknown))}")
    return value


def header(document, kind, where=""):
    """Check a document's format name and version."""
    expect(document, dict, where, f"a {kind} document (a JSON object)")
    if document.get("format") != kind:
        fail(where, f"not a {kind} document (its format is {document.get('format')!r})")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        fail(where, f"bad format version {version!r}")
    if version > FORMAT_VERSION:
        fail(where, f"written by a newer graphc (format version {version}); this graphc reads "
                    f"version {FORMAT_VERSION}")
