"""Small feed builders for the ingestion tests."""

from email.utils import format_datetime


def _item(i: dict) -> str:
    """One RSS item. `pubdate` gives the date text as written; "link": None leaves it out."""
    link = f"<link>{i['link']}</link>" if i.get("link") is not None else ""
    guid = i.get("guid", i.get("link"))
    guid_tag = f'<guid isPermaLink="false">{guid}</guid>' if guid is not None else ""
    if "pubdate" in i:
        date = f"<pubDate>{i['pubdate']}</pubDate>"
    elif "published" in i:
        date = f"<pubDate>{format_datetime(i['published'])}</pubDate>"
    else:
        date = ""
    summary = i.get("summary", "Migration talks continue.")
    return (
        f"<item><title>{i['title']}</title>{link}{guid_tag}{date}"
        f"<description>{summary}</description></item>"
    )


def rss(*items: dict, title: str = "Sample Wire", link: str = "https://wire.example/") -> bytes:
    body = "".join(_item(i) for i in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{link}</link><description>Sample</description>"
        f"{body}</channel></rss>"
    ).encode()


def page(title: str, text: str, canonical: str = "") -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"{link}</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
