"""Teaches schemathesis the two kinds of values of Jiangxin's API it cannot draw from the document
alone; the checks are schemathesis's own, unchanged.

- `format: cursor` (the `cursor` of every list, the `next_cursor` of every page) is opaque to
  clients: a position in the list that the server handed out. The server writes it as base64url,
  without padding, of `<row id>` U+001F `<sort key>`, and any such value is a position it reads.
- Uploads (`format: binary`, the types in `encoding.file.contentType`) take files whose type is
  read from their content: a file of one of the types listed, not any bytes.
"""

import base64
import uuid

import schemathesis
from hypothesis import strategies as st
from schemathesis.transport.serialization import Binary


def _cursor(parts):
    row_id, key = parts
    raw = f"{row_id}\x1f{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


schemathesis.openapi.format(
    "cursor",
    st.tuples(
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=40),
    ).map(_cursor),
)

# The smallest files of each type the server recognises by their first bytes. Files are
# `format: binary`; schemathesis wraps their bytes in `Binary` to send them as such.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg=="
)
_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

schemathesis.openapi.format("binary", st.sampled_from([_PNG, _GIF, _PDF]).map(Binary))

# `format: idempotency-key` (the `Idempotency-Key` header of every POST): a new random key per
# request, as clients are told to send. A key drawn twice for two different requests is
# answered 422 `idempotency_key_reused`, rightly, but that is not what the run is testing.
schemathesis.openapi.format("idempotency-key", st.builds(lambda: str(uuid.uuid4())))


@schemathesis.hook
def before_call(context, case, kwargs):
    """Every call sends a key of its own. The coverage phase draws the header from its bounds
    (the same value for many operations), which the server rightly answers 422
    `idempotency_key_reused`; keys themselves are tested in tests/integration/idempotency.rs.
    A key the server would refuse as malformed (a negative case) is left as drawn."""
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        value = headers[name]
        well_formed = (
            isinstance(value, str) and 0 < len(value) <= 255 and all(33 <= ord(ch) <= 126 for ch in value)
        )
        if well_formed:
            headers[name] = str(uuid.uuid4())
