"""Small feed builders for the ingestion tests."""

from email.utils import format_datetime


def rss(*items: dict, title: str = "Sample Wire", link: str = "https://wire.example/") -> bytes:
    body = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link>"
        f'<guid isPermaLink="false">{i.get("guid", i["link"])}</guid>'
        + (f"<pubDate>{format_datetime(i['published'])}</pubDate>" if "published" in i else "")
        + f"<description>{i.get('summary', 'Migration talks continue.')}</description></item>"
        for i in items
    )
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
