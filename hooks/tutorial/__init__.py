"""The build of the tutorial site, source to page; MkDocs reaches it through
the small hook files in ``hooks/`` (one per concern, each only events).

    docs/<page>.md --includes--> which snippet sections a page shows
    snippets/<x>.py --runner--> what each section printed and saved (a subprocess)
                   --results--> verified in .cache/snippets/, run only when changed,
                                in the background: a page waits for the ones it shows
    page Markdown  --outputs--> each code block followed by what it printed
                   --notebooks--> the chapter as a notebook, and its view page
    languages: which language is being built; state: what the hooks share.
"""
