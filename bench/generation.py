"""A synthetic corpus at realistic size for benchmarks: sources, feeds, articles, mentions.

Generated rows hang off sources whose domain ends in GENERATED_SUFFIX; a second run counts the
articles of those sources and only tops up to the number asked for. Bodies mix a filler
vocabulary with the knowledge base's names, so search and tagging find real entities; dates
cluster around the reference summits, as real coverage does. On PostgreSQL rows go in with
COPY, elsewhere with bulk_create.
"""

import hashlib
import json
import random
import time
import uuid
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import (
    Article,
    ArticleFeed,
    ExtractionStatus,
    Feed,
    Mention,
    MentionKind,
    MentionStatus,
    ReviewStatus,
    Source,
    StoryCluster,
)
from articles.search_text import search_text
from summits.models import Country, Official, Policy, Summit

GENERATED_SUFFIX = ".synthetic.example"
TAGGER_VERSION = "synthetic"
CORPUS_START = datetime(2017, 1, 1, tzinfo=UTC)
WRITERS = 2
GENERATION_LOCK = 0x7472_6163_6B67_656E  # "trackgen": the advisory lock's key


class GenerationError(ValueError):
    """The corpus cannot be generated here, said in plain words."""


@dataclass
class GenerationReport:
    existing: int = 0
    created: int = 0
    mentions: int = 0
    clusters: int = 0
    seconds: float = 0.0
    method: str = ""

    @property
    def articles_per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        if not self.created:
            return f"{self.existing} generated articles already there: nothing to add."
        return (
            f"Added {self.created} articles, {self.mentions} mentions, {self.clusters} story "
            f"clusters in {self.seconds:.1f}s ({self.articles_per_second:,.0f} articles/s, "
            f"{self.method}); {self.existing + self.created} generated articles in all."
        )


# ---------------------------------------------------------------------------------------------
# Words. Filler sentences are built once per run from these; entity sentences carry the names.

FILLER = {
    "en": (
        "the officials said talks would continue on border cooperation asylum processing and "
        "legal pathways while advocates warned that shelters in northern cities were full "
        "governments agreed to share data expand visas and fund reception centres migrants "
        "families crossing rose fell sharply during the summer according to figures released "
        "on Tuesday by the agency the plan includes new funding for regional processing "
        "offices labour mobility schemes and returns critics questioned whether the measures "
        "would last beyond the election the delegation met lawmakers governors mayors and "
        "humanitarian groups to review a joint statement on enforcement smuggling networks "
        "trafficking temporary protection work permits and the backlog of court cases"
    ),
    "es": (
        "los funcionarios dijeron que las conversaciones seguirán sobre cooperación fronteriza "
        "asilo y vías legales mientras organizaciones advirtieron que los albergues del norte "
        "están llenos los gobiernos acordaron compartir datos ampliar visas y financiar centros "
        "de recepción las familias migrantes que cruzan aumentaron disminuyeron durante el "
        "verano según cifras publicadas el martes por la dependencia el plan incluye nuevos "
        "fondos para oficinas regionales programas de movilidad laboral y retornos críticos "
        "cuestionaron si las medidas durarán después de la elección la delegación se reunió "
        "con legisladores gobernadores alcaldes y grupos humanitarios para revisar una "
        "declaración conjunta sobre redes de tráfico permisos de trabajo y protección temporal"
    ),
    "fr": (
        "les responsables ont déclaré que les discussions se poursuivront sur la coopération "
        "frontalière l'asile et les voies légales tandis que des associations ont averti que "
        "les refuges du nord sont pleins les gouvernements ont convenu de partager des données "
        "élargir les visas et financer des centres d'accueil les familles migrantes qui "
        "traversent ont augmenté diminué pendant l'été selon des chiffres publiés mardi par "
        "l'agence le plan prévoit de nouveaux fonds pour des bureaux régionaux la mobilité de "
        "la main-d'oeuvre et les renvois des critiques doutent que les mesures durent après "
        "l'élection la délégation a rencontré des élus gouverneurs maires et groupes "
        "humanitaires pour examiner une déclaration commune sur les réseaux de passeurs"
    ),
}

ENTITY_SENTENCES = {
    "en": (
        "{name} was at the centre of the talks on migration and border security.",
        "Officials said {name} would be on the agenda again next month.",
        "According to people familiar with the discussions, {name} pressed for faster asylum "
        "processing.",
        "The joint statement referred to {name} twice.",
        "Critics of {name} said the announcement changed little on the ground.",
    ),
    "es": (
        "{name} estuvo en el centro de las conversaciones sobre migración y seguridad fronteriza.",
        "Funcionarios dijeron que {name} volverá a estar en la agenda el próximo mes.",
        "Según personas al tanto de las pláticas, {name} pidió agilizar las solicitudes de asilo.",
        "La declaración conjunta mencionó a {name} dos veces.",
        "Críticos de {name} afirmaron que el anuncio cambia poco en la frontera.",
    ),
    "fr": (
        "{name} était au cœur des discussions sur la migration et la sécurité frontalière.",
        "Selon des responsables, {name} sera de nouveau à l'ordre du jour le mois prochain.",
        "D'après des sources proches des discussions, {name} a demandé d'accélérer l'asile.",
        "La déclaration commune a cité {name} à deux reprises.",
        "Les critiques de {name} estiment que l'annonce change peu de choses sur le terrain.",
    ),
}

TITLES = {
    "en": (
        "{a} and {b} discuss migration as pressure on the border grows",
        "What {a} means for asylum seekers: {b} weighs in",
        "{a} talks end with pledges on {b}",
        "Border deal: {a} and {b} agree to keep talking",
    ),
    "es": (
        "{a} y {b} dialogan sobre migración ante la presión en la frontera",
        "Qué significa {a} para los solicitantes de asilo, según {b}",
        "Concluyen pláticas de {a} con compromisos sobre {b}",
    ),
    "fr": (
        "{a} et {b} discutent de migration face à la pression à la frontière",
        "Ce que {a} change pour les demandeurs d'asile, selon {b}",
        "Les discussions sur {a} se terminent par des engagements sur {b}",
    ),
}

# Outlets: (name, language, ISO2 of the outlet's country). Fictional names, real places.
OUTLETS = [
    *[
        (f"The {c} {n}", "en", iso)
        for c, iso in [
            ("Houston", "US"),
            ("El Paso", "US"),
            ("San Diego", "US"),
            ("Phoenix", "US"),
            ("Chicago", "US"),
            ("Miami", "US"),
            ("Washington", "US"),
            ("Toronto", "CA"),
            ("Vancouver", "CA"),
            ("Ottawa", "CA"),
            ("Calgary", "CA"),
        ]
        for n in ("Ledger", "Courier")
    ],
    *[
        (f"{n} de {c}", "es", iso)
        for c, iso in [
            ("Monterrey", "MX"),
            ("Tijuana", "MX"),
            ("Ciudad Juárez", "MX"),
            ("Guadalajara", "MX"),
            ("Tapachula", "MX"),
            ("Guatemala", "GT"),
            ("Tegucigalpa", "HN"),
            ("San Salvador", "SV"),
        ]
        for n in ("El Diario", "La Voz")
    ],
    *[
        (f"{n} de {c}", "fr", "CA")
        for c in ("Montréal", "Québec", "Gatineau")
        for n in ("Le Courrier", "La Tribune")
    ],
]
FEED_SECTIONS = ("news", "politics", "world")
AUTHORS = (
    "Ana Ruiz",
    "Mark Ellis",
    "Sofía Herrera",
    "Claire Tremblay",
    "David Chen",
    "Lucía Ortega",
    "James Porter",
    "Marie Gagnon",
    "Carlos Méndez",
    "Emily Grant",
    "Jorge Salinas",
)
METHODS = ("name", "alias", "role", "fuzzy")


# ---------------------------------------------------------------------------------------------
# The knowledge base, read once into plain tuples.


@dataclass
class _Entity:
    kind: str
    pk: int
    names: dict[str, str]  # by language
    start: date | None = None
    end: date | None = None
    related: tuple[tuple[str, int], ...] = ()  # a summit's participants and policies


@dataclass
class _Knowledge:
    countries: list[_Entity]
    core: list[_Entity]
    officials: list[_Entity]
    policies: list[_Entity]
    summits: list[_Entity]  # sorted by start
    summit_starts: list[date] = field(default_factory=list)
    by_key: dict[tuple[str, int], _Entity] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "_Knowledge":
        countries = [
            _Entity("country", c.pk, {"en": c.name_en, "es": c.name_es, "fr": c.name_fr})
            for c in Country.objects.all()
        ]
        if not countries:
            raise GenerationError("No reference data: run `python manage.py load_reference` first.")
        core_pks = set(Country.objects.filter(is_core=True).values_list("pk", flat=True))
        officials = []
        for o in Official.objects.prefetch_related("tenures"):
            tenures = list(o.tenures.all())
            start = min((t.start for t in tenures), default=None)
            ends = [t.end for t in tenures]
            end = None if not ends or None in ends else max(e for e in ends if e)
            officials.append(
                _Entity("official", o.pk, dict.fromkeys(("en", "es", "fr"), o.name), start, end)
            )
        policies = []
        for p in Policy.objects.prefetch_related("events"):
            dates = [e.date for e in p.events.all()]
            ended = [e.date for e in p.events.all() if e.status == "ended"]
            policies.append(
                _Entity(
                    "policy",
                    p.pk,
                    dict.fromkeys(("en", "es", "fr"), p.name),
                    min(dates, default=None),
                    max(ended, default=None),
                )
            )
        summits = []
        for s in Summit.objects.prefetch_related("participants", "policies").order_by(
            "start_date", "pk"
        ):
            related = tuple(("official", p.official_id) for p in s.participants.all()) + tuple(
                ("policy", p.pk) for p in s.policies.all()
            )
            summits.append(
                _Entity(
                    "summit",
                    s.pk,
                    dict.fromkeys(("en", "es", "fr"), s.title),
                    s.start_date,
                    s.end_date,
                    related,
                )
            )
        kb = cls(
            countries=countries,
            core=[c for c in countries if c.pk in core_pks] or countries[:3],
            officials=officials,
            policies=policies,
            summits=summits,
            summit_starts=[s.start for s in summits if s.start],
        )
        kb.by_key = {(e.kind, e.pk): e for e in [*countries, *officials, *policies, *summits]}
        return kb

    def active(self, entities: list[_Entity], day: date, slack: int) -> list[_Entity]:
        """Entities whose dates cover `day` give or take `slack` days; all when none do."""
        latest, earliest = day + timedelta(days=slack), day - timedelta(days=slack)
        found = [
            e
            for e in entities
            if (e.start is None or e.start <= latest) and (e.end is None or e.end >= earliest)
        ]
        return found or entities

    def summits_near(self, day: date, days: int = 45) -> list[_Entity]:
        lo = bisect_left(self.summit_starts, day - timedelta(days=days))
        hi = bisect_right(self.summit_starts, day + timedelta(days=days))
        return self.summits[lo:hi]


# ---------------------------------------------------------------------------------------------
# One batch of rows, built in memory, then written by COPY or bulk_create.


@dataclass
class _Batch:
    clusters: list[tuple[Any, ...]] = field(default_factory=list)
    articles: list[tuple[Any, ...]] = field(default_factory=list)
    article_cluster: list[int | None] = field(default_factory=list)  # index into clusters
    links: list[tuple[int, int, str, datetime]] = field(default_factory=list)
    mentions: list[tuple[Any, ...]] = field(default_factory=list)  # article index first


CLUSTER_COLUMNS = ("first_published_at", "size", "created_at")
ARTICLE_COLUMNS = (
    "url",
    "canonical_url",
    "url_hash",
    "guid",
    "source_id",
    "original_source_id",
    "original_source_name",
    "title",
    "earlier_titles",
    "summary",
    "body",
    "authors",
    "language",
    "site_name",
    "published_at",
    "fetched_at",
    "created_at",
    "updated_at",
    "content_hash",
    "simhash",
    "extraction_status",
    "extraction_error",
    "review_status",
    "tagged_at",
    "tagger_version",
)
LINK_COLUMNS = ("article_id", "feed_id", "entry_guid", "first_seen_at")
MENTION_COLUMNS = (
    "article_id",
    "kind",
    "country_id",
    "official_id",
    "policy_id",
    "summit_id",
    "confidence",
    "method",
    "evidence",
    "status",
    "created_at",
    "updated_at",
    "reviewed_at",
)


class _Writer:
    def __init__(
        self,
        kb: _Knowledge,
        sources: list[Source],
        feeds: dict[int, list[int]],
        mentions_per_article: float,
        rng: random.Random,
        now: datetime,
    ) -> None:
        self.kb = kb
        self.sources = sources
        self.by_language: dict[str, list[Source]] = {}
        for s in sources:
            self.by_language.setdefault(s.language, []).append(s)
        self.feeds = feeds
        self.k = mentions_per_article
        self.rng = rng
        self.now = now
        # In every URL: a run that died half-way leaves no address for the next run to reuse.
        self.run = uuid.uuid4().hex[:6]
        self.span = (now - CORPUS_START).total_seconds()
        self.pool = {
            lang: [self._filler_sentence(words.split()) for _ in range(1500)]
            for lang, words in FILLER.items()
        }

    def _filler_sentence(self, words: list[str]) -> str:
        picked = self.rng.choices(words, k=self.rng.randint(10, 26))
        return " ".join(picked).capitalize() + "."

    def _published(self) -> datetime:
        rng = self.rng
        if self.kb.summits and rng.random() < 0.6:
            summit = rng.choice(self.kb.summits)
            assert summit.start is not None
            offset = timedelta(days=rng.gauss(1.5, 7.0), seconds=rng.uniform(0, 86400))
            when = datetime.combine(summit.start, datetime.min.time(), UTC) + offset
            if CORPUS_START <= when <= self.now:
                return when
        return CORPUS_START + timedelta(seconds=rng.uniform(0, self.span))

    def _mentions(self, day: date) -> list[_Entity]:
        rng, kb = self.rng, self.kb
        wanted = max(1, round(rng.gauss(self.k, self.k * 0.3)))
        picked: dict[tuple[str, int], _Entity] = {}

        def take(candidates: Sequence[_Entity], n: int) -> None:
            fresh = [e for e in candidates if (e.kind, e.pk) not in picked]
            for e in rng.sample(fresh, min(n, len(fresh), wanted - len(picked))):
                picked[(e.kind, e.pk)] = e

        near = kb.summits_near(day)
        if near:
            summit = rng.choice(near)
            take([summit], 1)
            related = [kb.by_key[key] for key in summit.related if key in kb.by_key]
            take(related, max(1, wanted // 3))
        take(kb.core, rng.randint(1, len(kb.core)))
        take(kb.countries, max(0, round(wanted * 0.1)))
        take(kb.active(kb.officials, day, 30), round(wanted * 0.4))
        take(kb.active(kb.policies, day, 90), round(wanted * 0.2))
        for pool in (kb.officials, kb.policies, kb.countries):
            if len(picked) < wanted:
                take(pool, wanted - len(picked))
        return list(picked.values())

    def _text(self, lang: str, entities: list[_Entity]) -> tuple[str, str, list[str]]:
        """Title, body and one evidence sentence per entity."""
        rng = self.rng
        evidence = [rng.choice(ENTITY_SENTENCES[lang]).format(name=e.names[lang]) for e in entities]
        target = rng.triangular(2000, 6000, 3000)
        sentences = list(evidence)
        size = sum(len(s) for s in sentences)
        while size < target:
            s = rng.choice(self.pool[lang])
            sentences.append(s)
            size += len(s) + 1
        # Names early in the text, as a lede would have them; the rest shuffled in.
        head, tail = sentences[:2], sentences[2:]
        rng.shuffle(tail)
        sentences = head + tail
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        names = [e.names[lang] for e in entities if e.kind != "country"] or [
            e.names[lang] for e in entities
        ]
        a = names[0]
        b = names[1] if len(names) > 1 else entities[-1].names[lang]
        title = rng.choice(TITLES[lang]).format(a=a, b=b)[:1000]
        return title, "\n\n".join(paragraphs), evidence

    def batch(self, start_index: int, count: int) -> _Batch:
        batch = _Batch()
        rng = self.rng
        index = start_index
        while len(batch.articles) < count:
            copies = 1 if rng.random() < 0.85 else min(2 + int(rng.expovariate(0.7)), 8)
            copies = min(copies, count - len(batch.articles))
            self._story(batch, index, copies)
            index += copies
        return batch

    def _story(self, batch: _Batch, index: int, copies: int) -> None:
        rng = self.rng
        lang = rng.choices(("en", "es", "fr"), weights=(5, 3, 2))[0]
        first_source = rng.choice(self.by_language[lang])
        published = self._published()
        entities = self._mentions(published.date())
        title, body, evidence = self._text(lang, entities)
        simhash = rng.getrandbits(64) - 2**63
        cluster: int | None = None
        if copies > 1:
            cluster = len(batch.clusters)
            batch.clusters.append((published, copies, published + timedelta(hours=1)))
        others = [s for s in self.by_language[lang] if s.pk != first_source.pk]
        for n in range(copies):
            source = first_source if n == 0 else rng.choice(others or [first_source])
            when = published if n == 0 else published + timedelta(hours=rng.uniform(0.5, 48))
            copy_body = body if n == 0 else f"Source: {first_source.name}\n\n{body}"
            copy_title = title if n == 0 or rng.random() < 0.7 else f"{title} (update)"
            self._article(
                batch,
                index + n,
                source,
                lang,
                when,
                copy_title,
                copy_body,
                simhash ^ (rng.getrandbits(3) if n else 0),
                cluster,
                first_source if n else None,
                entities,
                evidence,
            )

    def _article(
        self,
        batch: _Batch,
        index: int,
        source: Source,
        lang: str,
        when: datetime,
        title: str,
        body: str,
        simhash: int,
        cluster: int | None,
        original: Source | None,
        entities: list[_Entity],
        evidence: list[str],
    ) -> None:
        rng = self.rng
        slug = slugify(title)[:80]
        canonical = f"https://{source.domain}/{when:%Y/%m/%d}/{slug}-{self.run}{index}"
        url = canonical + ("?utm_source=rss" if rng.random() < 0.3 else "")
        fetched = min(when + timedelta(minutes=rng.uniform(2, 90)), self.now)
        tagged = min(fetched + timedelta(seconds=rng.uniform(1, 60)), self.now)
        skipped = rng.random() < 0.03
        status = ExtractionStatus.SKIPPED if skipped else ExtractionStatus.EXTRACTED
        summary = "<p>" + body.split("\n\n", 1)[0][:400] + "</p>"
        authors = rng.sample(AUTHORS, rng.randint(0, 2))
        review = ReviewStatus.REVIEWED if rng.random() < 0.05 else ReviewStatus.UNREVIEWED
        article_at = len(batch.articles)
        batch.articles.append(
            (
                url,
                canonical,
                hashlib.sha256(canonical.encode()).hexdigest(),
                f"{source.domain}:{self.run}{index}",
                source.pk,
                original.pk if original else None,
                original.name if original else "",
                title,
                [],
                summary,
                "" if skipped else body,
                authors,
                lang,
                source.name,
                when,
                fetched,
                fetched,
                tagged,
                hashlib.sha256(body.encode()).hexdigest(),
                simhash,
                status,
                "",
                review,
                tagged,
                TAGGER_VERSION,
            )
        )
        batch.article_cluster.append(cluster)
        source_feeds = self.feeds[source.pk]
        for feed_id in rng.sample(
            source_feeds, 2 if len(source_feeds) > 1 and rng.random() < 0.15 else 1
        ):
            batch.links.append((article_at, feed_id, f"{source.domain}:{self.run}{index}", fetched))
        for entity, sentence in zip(entities, evidence, strict=True):
            roll = rng.random()
            mention_status = (
                MentionStatus.APPROVED
                if roll < 0.08
                else MentionStatus.REJECTED
                if roll < 0.12
                else MentionStatus.AUTO
            )
            reviewed = (
                min(tagged + timedelta(days=rng.uniform(0, 20)), self.now) if roll < 0.12 else None
            )
            ids = [entity.pk if entity.kind == k else None for k in MentionKind.values[:4]]
            batch.mentions.append(
                (
                    article_at,
                    entity.kind,
                    *ids,
                    round(rng.uniform(0.55, 1.0), 3),
                    rng.choice(METHODS),
                    sentence,
                    mention_status,
                    tagged,
                    reviewed or tagged,
                    reviewed,
                )
            )


# ---------------------------------------------------------------------------------------------
# Writing.


def _extra_columns(
    model: type[models.Model], known: tuple[str, ...], now: datetime
) -> list[tuple[Any, Any]]:
    """Columns added to the model since this module was written, with their default values."""
    extra = []
    for f in model._meta.concrete_fields:
        if f.attname in known or f.primary_key or getattr(f, "generated", False):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif f.blank and f.empty_strings_allowed:
            value = ""  # a text column that may be left empty, as forms leave it
        else:
            raise GenerationError(
                f"{model.__name__}.{f.name} has no default: generate_data cannot fill it."
            )
        extra.append((f, value))
    return extra


def _copy(
    model: type[models.Model],
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    ids: list[int],
    now: datetime,
) -> None:
    extra = _extra_columns(model, columns, now)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = ["id", *columns, *(f.attname for f, _ in extra)]
    json_at = [i for i, name in enumerate(names) if isinstance(fields[name], models.JSONField)]
    tail = tuple(v for _, v in extra)
    quoted = ", ".join(connection.ops.quote_name(str(fields[n].column)) for n in names)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for pk, row in zip(ids, rows, strict=True):
            values = [pk, *row, *tail]
            for i in json_at:
                values[i] = json.dumps(values[i])
            copy.write_row(values)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _write_postgres(batch: _Batch, now: datetime) -> None:
    cluster_ids = _reserve_ids(StoryCluster, len(batch.clusters))
    article_ids = _reserve_ids(Article, len(batch.articles))
    _copy(StoryCluster, CLUSTER_COLUMNS, batch.clusters, cluster_ids, now)
    text = [ARTICLE_COLUMNS.index(name) for name in ("title", "summary", "body")]
    rows = [
        (
            *row,
            cluster_ids[c] if c is not None else None,
            # COPY bypasses the ORM: the search text comes from the same definition.
            search_text(title=row[text[0]], summary=row[text[1]], body=row[text[2]]),
        )
        for row, c in zip(batch.articles, batch.article_cluster, strict=True)
    ]
    _copy(Article, (*ARTICLE_COLUMNS, "cluster_id", "search_text"), rows, article_ids, now)
    links = [(article_ids[a], *rest) for a, *rest in batch.links]
    _copy(ArticleFeed, LINK_COLUMNS, links, _reserve_ids(ArticleFeed, len(links)), now)
    mentions = [(article_ids[a], *rest) for a, *rest in batch.mentions]
    _copy(Mention, MENTION_COLUMNS, mentions, _reserve_ids(Mention, len(mentions)), now)


def _write_orm(batch: _Batch) -> None:
    clusters = StoryCluster.objects.bulk_create(
        [StoryCluster(**dict(zip(CLUSTER_COLUMNS, row, strict=True))) for row in batch.clusters]
    )
    articles = Article.objects.bulk_create(
        [
            Article(
                **dict(zip(ARTICLE_COLUMNS, row, strict=True)),
                cluster=clusters[c] if c is not None else None,
            )
            for row, c in zip(batch.articles, batch.article_cluster, strict=True)
        ],
        batch_size=500,
    )
    ArticleFeed.objects.bulk_create(
        [
            ArticleFeed(article=articles[a], feed_id=f, entry_guid=g, first_seen_at=t)
            for a, f, g, t in batch.links
        ],
        batch_size=1000,
    )
    Mention.objects.bulk_create(
        [
            Mention(
                article=articles[row[0]], **dict(zip(MENTION_COLUMNS[1:], row[1:], strict=True))
            )
            for row in batch.mentions
        ],
        batch_size=1000,
    )


def _write(batch: _Batch, now: datetime, postgres: bool) -> None:
    with transaction.atomic():
        if postgres:
            _write_postgres(batch, now)
        else:
            _write_orm(batch)


def _write_in_thread(batch: _Batch, now: datetime) -> None:
    try:
        _write(batch, now, postgres=True)
    finally:
        connection.close()


def _sources(kb: _Knowledge) -> tuple[list[Source], dict[int, list[int]]]:
    countries = dict(Country.objects.values_list("iso2", "pk"))
    sources: list[Source] = []
    feeds: dict[int, list[int]] = {}
    for name, language, iso in OUTLETS:
        domain = slugify(name) + GENERATED_SUFFIX
        source, _ = Source.objects.get_or_create(
            domain=domain,
            defaults={"name": name, "language": language, "country_id": countries.get(iso)},
        )
        sources.append(source)
        feeds[source.pk] = []
        for section in FEED_SECTIONS[: 1 + len(name) % 3]:
            # Inactive: these addresses do not exist, and no worker should try to fetch them.
            feed, _ = Feed.objects.get_or_create(
                url=f"https://{domain}/feeds/{section}.xml",
                defaults={
                    "source": source,
                    "title": f"{name}: {section}",
                    "active": False,
                    "disabled_reason": "Synthetic benchmark feed: never fetched.",
                },
            )
            feeds[source.pk].append(feed.pk)
    return sources, feeds


def generated_articles() -> models.QuerySet[Article]:
    """Articles that belong to generated sources."""
    return Article.objects.filter(source__domain__endswith=GENERATED_SUFFIX)


def corpus_generate(
    *,
    articles: int,
    mentions_per_article: float = 10.0,
    seed: int = 1,
    force: bool = False,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationReport:
    """Top the generated corpus up to `articles` articles; refuses on real data unless forced."""
    if articles < 0:
        raise GenerationError(f"--articles must be zero or more, not {articles}.")
    if not 1 <= mentions_per_article <= 50:
        raise GenerationError(
            f"--mentions-per-article must be between 1 and 50, not {mentions_per_article}."
        )
    with _generation_lock():
        return _generate(
            articles=articles,
            mentions_per_article=mentions_per_article,
            seed=seed,
            force=force,
            batch_size=batch_size,
            progress=progress,
        )


@contextmanager
def _generation_lock() -> Iterator[None]:
    """One generator at a time per database: two would both count, then both top up."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [GENERATION_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [GENERATION_LOCK])


def _generate(
    *,
    articles: int,
    mentions_per_article: float,
    seed: int,
    force: bool,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> GenerationReport:
    # Outlets on the reserved .example domain (RFC 2606) are the demo's and the generator's.
    real = Article.objects.exclude(source__domain__endswith=".example").count()
    if real and not force:
        raise GenerationError(
            f"This database holds {real} real articles; generate_data only fills benchmark "
            "databases (pass --force to add synthetic articles anyway)."
        )
    report = GenerationReport(existing=generated_articles().count())
    wanted = articles - report.existing
    if wanted <= 0:
        return report
    kb = _Knowledge.load()
    sources, feeds = _sources(kb)
    now = timezone.now()
    writer = _Writer(
        kb, sources, feeds, mentions_per_article, random.Random(f"{seed}:{report.existing}"), now
    )
    postgres = connection.vendor == "postgresql"
    # Two writers keep both of PostgreSQL's cores busy (the search-vector trigger is most of
    # the cost) while this thread builds the next batch. Not inside a caller's transaction:
    # other connections could not see its rows.
    writers = WRITERS if postgres and not connection.in_atomic_block else 0
    report.method = "PostgreSQL COPY" if postgres else "bulk_create"
    started = time.perf_counter()

    def done(batch: _Batch) -> None:
        report.created += len(batch.articles)
        report.mentions += len(batch.mentions)
        report.clusters += len(batch.clusters)
        if progress:
            progress(report.created, wanted)

    with ThreadPoolExecutor(max_workers=max(writers, 1)) as pool:
        pending: deque[tuple[Future[None], _Batch]] = deque()
        built = 0
        while built < wanted:
            count = min(batch_size, wanted - built)
            batch = writer.batch(report.existing + built, count)
            built += count
            if not writers:
                _write(batch, now, postgres)
                done(batch)
                continue
            pending.append((pool.submit(_write_in_thread, batch, now), batch))
            while len(pending) > writers:
                future, finished = pending.popleft()
                future.result()
                done(finished)
        for future, finished in pending:
            future.result()
            done(finished)
    report.seconds = time.perf_counter() - started
    return report
