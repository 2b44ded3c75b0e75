from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from lxml import etree

from articles.ingestion.services import FeedAddError, feed_add


def opml_feeds(path: Path) -> list[tuple[str, str]]:
    """(feed URL, title) for every outline with an xmlUrl, in file order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise CommandError(f"{path} is not valid OPML: {exc}") from exc
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise CommandError(f"{path} is not OPML: its top element is <{root.tag}>, not <opml>.")
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            found.append((url, (outline.get("title") or outline.get("text") or "").strip()))
    if not found:
        raise CommandError(f"{path} lists no feeds (no <outline> has an xmlUrl).")
    return list(dict.fromkeys(found))


class Command(BaseCommand):
    help = "Add every feed listed in an OPML file; each is fetched once to check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        added = known = failed = 0
        for url, title in opml_feeds(options["file"]):
            try:
                result = feed_add(url=url, source_name=title)
            except FeedAddError as exc:
                failed += 1
                self.stderr.write(f"{url}: {exc}")
                continue
            if result.created:
                added += 1
            else:
                known += 1
        self.stdout.write(f"feeds: {added} added, {known} already followed, {failed} failed")
