"""MkDocs hook: drop the <link rel="alternate" hreflang> tags from the <head>.

mkdocs-static-i18n gives every page alternate links to the *same page* in the
other language (good: the language switcher stays on the page). Material's
JavaScript then fetches `sitemap.xml` next to each such link
(`/rate-coding/sitemap.xml`, `/en/rate-coding/sitemap.xml`), expecting them to
be language roots (squidfunk/mkdocs-material#6582); every page load logs two
404s. The switcher (<a hreflang> in the header) is untouched and still leads
to the same page; the sitemap keeps the language alternates for crawlers.
"""

import re

ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def on_post_page(output, page, config):
    head_end = output.find("</head>")
    return ALTERNATE.sub("", output[:head_end]) + output[head_end:]
