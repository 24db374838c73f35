"""Reading exported citations the way reference managers do, for the tests."""

import json

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON


def render_csl(payload, key):
    """The bibliography entry citeproc-py renders from a CSL-JSON payload."""
    source = CiteProcJSON(json.loads(payload))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(key)]))
    return str(bibliography.bibliography()[0])
