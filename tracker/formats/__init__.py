"""Date formats of the pages per language, over Django's own (which fill in the rest).

Templates name a format ("DATE_FORMAT") rather than spelling one out, so each language
writes dates its own way: 18 November 2021, 18 de noviembre de 2021, 18 novembre 2021.
"""
