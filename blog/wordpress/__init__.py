"""Moving a WordPress blog in and out.

    wxr.py          a streaming, defused reader of WordPress exports (WXR 1.0-1.2)
    records.py      what it hands out: authors, terms, items and their comments
    importer.py     one transaction: posts and pages, then terms.py and threads.py
    autop.py        WordPress's automatic paragraphs, for classic-editor bodies
    shortcodes.py   [caption] and [embed] to HTML; every other shortcode stays visible
    report.py       what was found, imported, skipped and why, and the orphans
    exporter.py     the site as a WXR 1.2 file that WordPress's importer accepts

The old addresses (/?p=123, /2012/01/03/slug/, /category/a/b/, /feed/) are kept
as Redirect rows that blog/redirects.py answers with a 301.
"""
