from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from lxml import etree

from articles.ingestion.services import FeedAddError, feed_add, feed_register
from articles.ingestion.sources import SourceFactsError, source_confirm
from articles.models import Feed


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str
    source: str  # the outlet's name (`source`), else the title
    # The source's facts, when the outline gives them (`country`, `kind`, `language`).
    country: str
    kind: str
    language: str

    @property
    def has_facts(self) -> bool:
        return bool(self.kind or self.country or self.language)


def opml_feeds(path: Path) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, in file order, once each."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise CommandError(f"{path} is not valid OPML: {exc}") from exc
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise CommandError(f"{path} is not OPML: its top element is <{root.tag}>, not <opml>.")
    found: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in found:
            found[url] = OpmlFeed(
                url=url,
                title=(outline.get("title") or outline.get("text") or "").strip(),
                source=(outline.get("source") or "").strip(),
                country=(outline.get("country") or "").strip(),
                kind=(outline.get("kind") or "").strip(),
                language=(outline.get("language") or "").strip(),
            )
    if not found:
        raise CommandError(f"{path} lists no feeds (no <outline> has an xmlUrl).")
    return list(found.values())


class Command(BaseCommand):
    help = (
        "Add every feed listed in an OPML file; each is fetched once to check it. An outline's "
        "country, kind and language attributes are set on its source as confirmed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-check",
            action="store_true",
            help="Store the feeds without fetching them now; the first scheduled fetch checks "
            "each, and one that fails shows in feed health.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        added = known = failed = confirmed = kept = 0
        for entry in opml_feeds(options["file"]):
            try:
                feed, created = self._add(entry, check=not options["no_check"])
            except FeedAddError as exc:
                failed += 1
                self.stderr.write(f"{entry.url}: {exc}")
                continue
            added, known = added + created, known + (not created)
            if not entry.has_facts:
                continue
            try:
                changed = source_confirm(
                    source=feed.source,
                    country_iso2=entry.country,
                    kind=entry.kind or "outlet",
                    language=entry.language,
                )
            except SourceFactsError as exc:
                self.stderr.write(
                    f"{entry.url}: the feed is added, but not its source's facts: {exc}"
                )
                continue
            confirmed, kept = confirmed + changed, kept + (not changed)
        self.stdout.write(f"feeds: {added} added, {known} already followed, {failed} failed")
        if confirmed or kept:
            self.stdout.write(
                f"sources: {confirmed} given their country, kind and language, "
                f"{kept} already confirmed and left as they are"
            )

    def _add(self, entry: OpmlFeed, *, check: bool) -> tuple[Feed, bool]:
        if not check:
            return feed_register(url=entry.url, title=entry.title, source_name=entry.source)
        result = feed_add(url=entry.url, source_name=entry.source or entry.title)
        return result.feed, result.created
