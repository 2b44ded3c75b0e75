# ruff: noqa: RUF001, RUF002  (en dashes are intended in the sample prose)
"""Writes the offline demo snapshot (feeds/ and pages/) from the stories below.

SAMPLE CONTENT. The outlets are fictional; the stories are written for this project and
describe real, public events of US–Mexico–Canada migration diplomacy. Run
`python demo/build.py` after editing; `manage.py load_demo` serves the files it writes.
Feed links use {{BASE}}, which the demo server replaces with its own address.
"""

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTICE = {
    "en": "Sample content: {outlet} is a fictional outlet made up for the tracker's demo data.",
    "es": "Contenido de muestra: {outlet} es un medio ficticio creado para la demostración.",
    "fr": "Contenu d'exemple : {outlet} est un média fictif créé pour la démonstration.",
}


@dataclass
class Outlet:
    key: str
    name: str
    domain: str
    language: str
    feed_format: str  # "rss" or "atom"
    description: str


@dataclass
class Story:
    slug: str
    outlet: str
    title: str
    published: str  # ISO 8601, UTC
    author: str
    summary: str
    paragraphs: list[str]
    path: str  # path on the fictional domain, for rel=canonical
    source_line: str = ""  # "Source: ..." on a republished copy
    boilerplate: bool = False
    also_in: list[str] = field(default_factory=list)  # other outlets' feeds carrying it


OUTLETS = [
    Outlet("borderwire", "The Border Wire", "borderwire.example", "en", "rss",
           "Sample news about migration talks between the United States, Mexico and Canada."),
    Outlet("cronica", "Crónica del Norte", "cronicadelnorte.example", "es", "atom",
           "Noticias de muestra sobre la diplomacia migratoria en América del Norte."),
    Outlet("courrier", "Le Courrier boréal", "courrierboreal.example", "fr", "rss",
           "Nouvelles d'exemple sur la diplomatie migratoire nord-américaine."),
    Outlet("prairie", "Prairie Dispatch", "prairiedispatch.example", "en", "rss",
           "Sample regional news from the Canadian prairies, with wire stories."),
]  # fmt: skip

STORIES = [
    Story(
        "bw-nals-2023",
        "borderwire",
        "Leaders of North America put migration at the centre of Mexico City summit",
        "2023-01-10T23:30:00Z",
        "Dana Whitfield",
        "Biden, López Obrador and Trudeau met for the North American Leaders' Summit.",
        [
            "MEXICO CITY — President Joe Biden, President Andrés Manuel López Obrador and Prime "
            "Minister Justin Trudeau met in Mexico City on January 10, 2023, for the tenth North "
            "American Leaders' Summit, the first such meeting hosted by Mexico since 2014.",
            "Irregular migration through the region was one of the main subjects. The three "
            "leaders said they would keep working on the commitments of the Los Angeles "
            "Declaration on Migration and Protection, adopted at the Summit of the Americas the "
            "previous June, including legal pathways and support for countries hosting large "
            "numbers of migrants and refugees.",
            "The summit came days after Washington announced, on January 5, that it would "
            "expand a parole process to Cubans, Haitians and Nicaraguans, alongside "
            "Venezuelans, while Mexico agreed to accept returns of up to 30,000 people a month "
            "from those four countries who crossed the border irregularly.",
            "Canada's prime minister said Ottawa would keep working with both partners on "
            "regional responses to displacement. The leaders' joint statement also covered "
            "supply chains, climate and security.",
        ],
        "/2023/01/10/north-american-leaders-summit-migration",
        also_in=["prairie"],
    ),
    Story(
        "bw-title42-end",
        "borderwire",
        "Title 42 expires as border rules shift back to Title 8",
        "2023-05-12T04:15:00Z",
        "Marcus Ybarra",
        "The pandemic-era expulsion order ended at 11:59 p.m. Eastern on May 11, 2023.",
        [
            "WASHINGTON — The public health order known as Title 42, used since March 2020 to "
            "expel migrants quickly at the US–Mexico border, expired at 11:59 p.m. Eastern time "
            "on May 11, 2023, when the COVID-19 public health emergency ended.",
            "Border processing returned to the immigration law of Title 8, under which people "
            "who cross irregularly and have no legal basis to stay can be removed and barred "
            "from re-entry. Homeland Security Secretary Alejandro Mayorkas urged migrants to "
            "use legal pathways, including appointments made through the CBP One app.",
            "Mexico agreed to continue accepting the return of some nationalities on "
            "humanitarian grounds, part of the arrangements the two governments had discussed "
            "in the months before the order lapsed.",
        ],
        "/2023/05/12/title-42-expires",
    ),
    Story(
        "bw-blinken-mayorkas-amlo",
        "borderwire",
        "Blinken and Mayorkas meet López Obrador as December crossings climb",
        "2023-12-28T02:00:00Z",
        "Dana Whitfield",
        "A US delegation met Mexico's president at the National Palace on December 27, 2023.",
        [
            "MEXICO CITY — Secretary of State Antony Blinken, Homeland Security Secretary "
            "Alejandro Mayorkas and White House Homeland Security Adviser Elizabeth "
            "Sherwood-Randall met President Andrés Manuel López Obrador at the National Palace "
            "on December 27, 2023.",
            "The visit followed weeks of record crossings at the southwest border and the "
            "temporary closure of rail crossings in Eagle Pass and El Paso, Texas, which US "
            "officials said was needed to redeploy agents to process migrants.",
            "Mexico's foreign secretary, Alicia Bárcena, said after the meeting that the two "
            "governments had agreed to keep working on the causes of migration and on "
            "enforcement, and that the rail crossings should reopen.",
        ],
        "/2023/12/28/blinken-mayorkas-lopez-obrador",
    ),
    Story(
        "bw-la-declaration",
        "borderwire",
        "Twenty countries sign Los Angeles Declaration on Migration and Protection",
        "2022-06-11T01:00:00Z",
        "Marcus Ybarra",
        "Leaders at the Summit of the Americas adopted a regional framework on migration.",
        [
            "LOS ANGELES — Leaders meeting at the Ninth Summit of the Americas adopted the Los "
            "Angeles Declaration on Migration and Protection on June 10, 2022, a framework "
            "endorsed by some twenty governments of the Western Hemisphere.",
            "Signatories, among them the United States, Mexico and Canada, committed to expand "
            "legal pathways for migration, to support countries that host large numbers of "
            "migrants and refugees, and to manage borders humanely.",
            "President Biden presented the declaration as a shared responsibility approach. "
            "Several governments announced their own commitments on temporary work visas and "
            "refugee resettlement alongside it.",
        ],
        "/2022/06/11/los-angeles-declaration-migration",
    ),
    Story(
        "bw-roxham-protocol",
        "borderwire",
        "US and Canada extend Safe Third Country rules to the whole land border",
        "2023-03-24T22:00:00Z",
        "Priya Castellanos",
        "An Additional Protocol takes effect at 12:01 a.m. on March 25, 2023.",
        [
            "OTTAWA — President Biden and Prime Minister Trudeau announced in Ottawa on March "
            "24, 2023, that the Safe Third Country Agreement would apply along the entire land "
            "border, including between official ports of entry, through an Additional "
            "Protocol that took effect at 12:01 a.m. Eastern on March 25.",
            "The change closed the gap used at Roxham Road, an unofficial crossing between "
            "New York and Quebec where tens of thousands of asylum seekers had entered Canada. "
            "Under the protocol, people who cross irregularly and claim asylum within 14 days "
            "can be returned to the country they came from.",
            "Canada also said it would welcome 15,000 migrants from the Western Hemisphere on a "
            "humanitarian basis over the following year.",
        ],
        "/2023/03/24/safe-third-country-protocol",
    ),
    Story(
        "bw-canada-visa",
        "borderwire",
        "Canada reimposes visa requirement on most Mexican travellers",
        "2024-02-29T18:00:00Z",
        "Priya Castellanos",
        "Ottawa cited a rise in asylum claims by Mexican nationals.",
        [
            "OTTAWA — Canada reimposed a visa requirement on most Mexican citizens from "
            "February 29, 2024, eight years after lifting it in 2016. Immigration Minister Marc "
            "Miller cited a sharp rise in asylum claims by Mexican nationals, many of which "
            "were refused or withdrawn.",
            "Mexicans who held a Canadian visa in the previous ten years, or who hold a valid "
            "US non-immigrant visa, can still apply for an electronic travel authorization "
            "when flying to Canada.",
            "Mexico's government said it regretted the decision and would monitor its effect "
            "on travellers, business and tourism between the two countries.",
        ],
        "/2024/02/29/canada-visa-mexico",
    ),
    Story(
        "cr-palacio-nacional",
        "cronica",
        "López Obrador recibe a Blinken y Mayorkas en Palacio Nacional",
        "2023-12-27T23:00:00Z",
        "Lucía Herrera",
        "Reunión de alto nivel sobre migración entre México y Estados Unidos.",
        [
            "CIUDAD DE MÉXICO — El presidente Andrés Manuel López Obrador recibió el 27 de "
            "diciembre de 2023 en Palacio Nacional al secretario de Estado Antony Blinken y al "
            "secretario de Seguridad Nacional Alejandro Mayorkas.",
            "La canciller Alicia Bárcena informó que ambos gobiernos acordaron seguir "
            "atendiendo las causas estructurales de la migración y reforzar la cooperación en "
            "la frontera común, tras semanas de cruces récord.",
            "El gobierno mexicano pidió también la reapertura de los cruces ferroviarios de "
            "Eagle Pass y El Paso, cerrados temporalmente por las autoridades estadounidenses.",
        ],
        "/2023/12/27/lopez-obrador-blinken-mayorkas",
    ),
    Story(
        "cr-cumbre-2023",
        "cronica",
        "Cumbre de Líderes de América del Norte: la migración domina la agenda",
        "2023-01-10T21:00:00Z",
        "Tomás Garza",
        "Biden, López Obrador y Trudeau se reunieron en la Ciudad de México.",
        [
            "CIUDAD DE MÉXICO — La décima Cumbre de Líderes de América del Norte reunió el 10 "
            "de enero de 2023 al presidente Andrés Manuel López Obrador, al presidente Joe Biden "
            "y al primer ministro Justin Trudeau.",
            "Los mandatarios hablaron de la migración irregular en la región y de los "
            "compromisos de la Declaración de Los Ángeles sobre Migración y Protección, "
            "adoptada en junio de 2022.",
            "México había aceptado días antes recibir a migrantes de Cuba, Haití, Nicaragua y "
            "Venezuela devueltos por Estados Unidos, hasta 30.000 personas al mes.",
        ],
        "/2023/01/10/cumbre-lideres-america-del-norte",
    ),
    Story(
        "cr-visa-canada",
        "cronica",
        "Canadá vuelve a exigir visa a los viajeros mexicanos",
        "2024-02-29T20:00:00Z",
        "Lucía Herrera",
        "La medida entró en vigor el 29 de febrero de 2024.",
        [
            "OTTAWA — Canadá restableció el 29 de febrero de 2024 la obligación de visa para la "
            "mayoría de los ciudadanos mexicanos, ocho años después de haberla eliminado.",
            "El ministro de Inmigración, Marc Miller, atribuyó la decisión al aumento de "
            "solicitudes de asilo presentadas por mexicanos. Quienes tengan una visa "
            "estadounidense vigente podrán seguir tramitando una autorización electrónica.",
            "La Secretaría de Relaciones Exteriores lamentó la medida.",
        ],
        "/2024/02/29/canada-visa-mexicanos",
    ),
    Story(
        "co-chemin-roxham",
        "courrier",
        "Le chemin Roxham fermé par un protocole canado-américain",
        "2023-03-25T12:00:00Z",
        "Élise Tremblay",
        "L'Entente sur les tiers pays sûrs s'applique désormais à toute la frontière terrestre.",
        [
            "MONTRÉAL — Le protocole additionnel à l'Entente sur les tiers pays sûrs est entré "
            "en vigueur le 25 mars 2023 à 0 h 01, au lendemain de la visite du président Joe "
            "Biden à Ottawa.",
            "Le passage irrégulier du chemin Roxham, entre l'État de New York et le Québec, "
            "par lequel des dizaines de milliers de demandeurs d'asile étaient entrés au "
            "Canada, est ainsi fermé. Les personnes qui traversent entre les points d'entrée "
            "et demandent l'asile dans les 14 jours peuvent être renvoyées aux États-Unis.",
            "Le premier ministre Justin Trudeau a aussi annoncé que le Canada accueillerait "
            "15 000 migrants de l'hémisphère occidental pour des raisons humanitaires.",
        ],
        "/2023/03/25/chemin-roxham-ferme",
    ),
    Story(
        "co-visa-mexique",
        "courrier",
        "Ottawa rétablit le visa pour les ressortissants mexicains",
        "2024-02-29T16:00:00Z",
        "Élise Tremblay",
        "Le ministre Marc Miller invoque la hausse des demandes d'asile.",
        [
            "OTTAWA — Le Canada exige de nouveau un visa de la plupart des voyageurs mexicains "
            "depuis le 29 février 2024, huit ans après l'avoir levé.",
            "Le ministre de l'Immigration, Marc Miller, a invoqué la forte hausse des demandes "
            "d'asile présentées par des ressortissants mexicains. Les titulaires d'un visa "
            "américain valide peuvent toujours demander une autorisation de voyage "
            "électronique pour un vol vers le Canada.",
        ],
        "/2024/02/29/visa-mexique",
    ),
    Story(
        "pd-title42-wire",
        "prairie",
        "Title 42 expires as border rules shift back to Title 8",
        "2023-05-12T09:00:00Z",
        "Marcus Ybarra",
        "Wire story: the pandemic-era expulsion order has ended.",
        [
            "WASHINGTON — The public health order known as Title 42, used since March 2020 to "
            "expel migrants quickly at the US–Mexico border, expired at 11:59 p.m. Eastern time "
            "on May 11, 2023, when the COVID-19 public health emergency ended.",
            "Border processing returned to the immigration law of Title 8, under which people "
            "who cross irregularly and have no legal basis to stay can be removed and barred "
            "from re-entry. Homeland Security Secretary Alejandro Mayorkas urged migrants to "
            "use legal pathways, including appointments made through the CBP One app.",
            "Mexico agreed to continue accepting the return of some nationalities on "
            "humanitarian grounds, part of the arrangements the two governments had discussed "
            "in the months before the order lapsed.",
        ],
        "/news/2023/05/title-42-expires",
        source_line="Source: The Border Wire",
    ),
    Story(
        "pd-ottawa-visit",
        "prairie",
        "What Biden's Ottawa visit means for asylum seekers at the border",
        "2023-03-26T15:00:00Z",
        "Connor MacLeod",
        "The Safe Third Country Agreement now covers the whole land border.",
        [
            "WINNIPEG — The first visit to Canada by President Joe Biden, on March 23 and 24, "
            "2023, ended with an agreement that the Safe Third Country Agreement would apply "
            "across the entire land border, closing Roxham Road in Quebec to asylum claims.",
            "Refugee advocates on the prairies said they expected more people to attempt "
            "dangerous crossings away from official ports of entry, as happened near Emerson, "
            "Manitoba, in past winters.",
            "Prime Minister Justin Trudeau said Canada would open 15,000 places for migrants "
            "from the Western Hemisphere over the coming year.",
        ],
        "/news/2023/03/ottawa-visit-asylum",
        boilerplate=True,
    ),
    # The first Carney-Trump call (28 March 2025) is deliberately not in the knowledge base:
    # after `load_demo` the discovery queue in admin proposes it as a meeting.
    Story(
        "bw-carney-trump-call",
        "borderwire",
        "Carney and Trump hold first call, agree to talks after Canada's election",
        "2025-03-29T01:30:00Z",
        "Dana Whitfield",
        "The two leaders spoke by phone on March 28, 2025, two weeks after Carney took office.",
        [
            "OTTAWA — Prime Minister Mark Carney and President Donald Trump spoke by phone on "
            "Friday, their first call since Carney was sworn in on March 14, and agreed to "
            "begin negotiations on a new economic and security relationship after Canada's "
            "federal election.",
            "Trump described the conversation as extremely productive. Carney told reporters "
            "that it had been cordial, and that Canada would still respond to the tariffs on "
            "foreign cars that Washington announced on Wednesday.",
            "The White House has tied its tariffs on Canadian goods to fentanyl and irregular "
            "crossings at the northern border; Ottawa points to the border plan it announced "
            "in December, with more officers, helicopters and drones.",
        ],
        "/2025/03/29/carney-trump-first-call",
    ),
    Story(
        "cr-carney-trump-llamada",
        "cronica",
        "Carney y Trump sostienen su primera llamada y pactan negociar tras las elecciones",
        "2025-03-29T02:30:00Z",
        "Tomás Garza",
        "El primer ministro de Canadá y el presidente de Estados Unidos hablaron el 28 de marzo.",
        [
            "OTTAWA — El primer ministro de Canadá, Mark Carney, y el presidente de Estados "
            "Unidos, Donald Trump, sostuvieron el viernes una llamada telefónica, la primera "
            "desde que Carney asumió el cargo, y acordaron iniciar negociaciones sobre una "
            "nueva relación económica y de seguridad después de las elecciones del 28 de abril.",
            "Trump calificó la conversación de «extremadamente productiva». Carney dijo que "
            "Canadá responderá de todos modos a los aranceles a los automóviles anunciados "
            "el miércoles.",
            "Washington ha vinculado sus aranceles al fentanilo y a los cruces irregulares en "
            "la frontera norte; Ottawa destaca el plan fronterizo que presentó en diciembre.",
        ],
        "/2025/03/29/carney-trump-llamada",
    ),
    Story(
        "co-carney-trump-appel",
        "courrier",
        "Premier appel entre Mark Carney et Donald Trump",
        "2025-03-29T03:00:00Z",
        "Élise Tremblay",
        "Le premier ministre et le président américain se sont parlé le 28 mars 2025.",
        [
            "OTTAWA — Le premier ministre Mark Carney s'est entretenu vendredi avec le "
            "président Donald Trump lors d'un appel téléphonique, le premier depuis son "
            "assermentation, et les deux dirigeants ont convenu d'entamer des négociations "
            "sur une nouvelle relation économique et de sécurité après les élections fédérales.",
            "M. Trump a qualifié l'échange d'« extrêmement productif ». M. Carney a rappelé "
            "que le Canada répondrait aux droits de douane sur les automobiles annoncés "
            "mercredi par Washington.",
            "La Maison-Blanche lie ses droits de douane au fentanyl et aux passages "
            "irréguliers à la frontière; Ottawa met en avant le plan frontalier présenté en "
            "décembre.",
        ],
        "/2025/03/29/premier-appel-carney-trump",
    ),
]

BOILERPLATE_TOP = """
<div class="cookie-banner">We use cookies to improve your experience. By continuing to browse
you accept our cookie policy. <button>Accept all cookies</button></div>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sports">Sports</a>
<a href="/weather">Weather</a> <a href="/subscribe">Subscribe</a></nav>
"""
BOILERPLATE_BOTTOM = """
<aside class="trending"><h3>Trends 24h</h3><ol>
<li><a href="/a">Canola prices hit a three-month high</a></li>
<li><a href="/b">Blizzard warning for southern Saskatchewan</a></li>
<li><a href="/c">Jets sign new goaltender</a></li></ol></aside>
<section class="comments"><h3>Leave a Reply</h3>
<p>Your email address will not be published. Required fields are marked *</p>
<form><textarea name="comment"></textarea><input name="author" placeholder="Name*">
<button>Post Comment</button></form></section>
<footer><p>© 2023 Prairie Dispatch (fictional). All rights reserved.</p>
<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
"""


def _page(story: Story, outlet: Outlet) -> str:
    esc = html.escape
    canonical = f"https://{outlet.domain}{story.path}"
    notice = NOTICE[outlet.language].format(outlet=outlet.name)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published,
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": outlet.name},
        "inLanguage": outlet.language,
    }
    body = "\n".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    source = f'<p class="source">{esc(story.source_line)}</p>\n' if story.source_line else ""
    return f"""<!DOCTYPE html>
<html lang="{outlet.language}">
<head>
<meta charset="utf-8">
<title>{esc(story.title)} | {esc(outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:url" content="{canonical}">
<meta property="og:title" content="{esc(story.title)}">
<meta property="og:site_name" content="{esc(outlet.name)}">
<meta property="article:published_time" content="{story.published}">
<meta name="author" content="{esc(story.author)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
{BOILERPLATE_TOP if story.boilerplate else ""}
<p class="sample-notice"><em>{esc(notice)}</em></p>
<article>
<h1>{esc(story.title)}</h1>
<p class="byline">{esc(story.author)} · {story.published[:10]}</p>
{source}{body}
</article>
{BOILERPLATE_BOTTOM if story.boilerplate else ""}
</body>
</html>
"""


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def _feed(outlet: Outlet, stories: list[Story]) -> str:
    esc = html.escape
    notice = NOTICE[outlet.language].format(outlet=outlet.name)
    if outlet.feed_format == "atom":
        entries = "".join(
            f"""  <entry>
    <title>{esc(s.title)}</title>
    <link rel="alternate" href="{{{{BASE}}}}/pages/{s.slug}.html"/>
    <id>tag:{outlet.domain},2024:{s.slug}</id>
    <published>{s.published}</published>
    <updated>{s.published}</updated>
    <author><name>{esc(s.author)}</name></author>
    <summary type="text">{esc(s.summary)}</summary>
  </entry>
"""
            for s in stories
        )
        return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">
  <title>{esc(outlet.name)}</title>
  <subtitle>{esc(outlet.description)} {esc(notice)}</subtitle>
  <link rel="alternate" href="https://{outlet.domain}/"/>
  <link rel="self" href="{{{{BASE}}}}/feeds/{outlet.key}.atom"/>
  <id>tag:{outlet.domain},2024:feed</id>
  <updated>{max(s.published for s in stories)}</updated>
{entries}</feed>
"""
    items = "".join(
        f"""    <item>
      <title>{esc(s.title)}</title>
      <link>{{{{BASE}}}}/pages/{s.slug}.html?utm_source=rss&amp;utm_medium=feed</link>
      <guid isPermaLink="false">{s.slug}</guid>
      <pubDate>{_rfc822(s.published)}</pubDate>
      <author>news@{outlet.domain} ({esc(s.author)})</author>
      <description>{esc(s.summary)}</description>
    </item>
"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>{esc(outlet.name)}</title>
    <link>https://{outlet.domain}/</link>
    <description>{esc(outlet.description)} {esc(notice)}</description>
    <language>{outlet.language}</language>
    <ttl>60</ttl>
{items}  </channel>
</rss>
"""


def build() -> None:
    outlets = {o.key: o for o in OUTLETS}
    (HERE / "pages").mkdir(exist_ok=True)
    (HERE / "feeds").mkdir(exist_ok=True)
    for story in STORIES:
        page = _page(story, outlets[story.outlet])
        (HERE / "pages" / f"{story.slug}.html").write_text(page, encoding="utf-8")
    for outlet in OUTLETS:
        carried = [s for s in STORIES if s.outlet == outlet.key or outlet.key in s.also_in]
        carried.sort(key=lambda s: s.published, reverse=True)
        ext = "atom" if outlet.feed_format == "atom" else "xml"
        (HERE / "feeds" / f"{outlet.key}.{ext}").write_text(
            _feed(outlet, carried), encoding="utf-8"
        )
    # A site home page that links to its feed, for add_feed's discovery.
    (HERE / "pages" / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>The Border Wire (fictional sample outlet)</title>"
        '<link rel="alternate" type="application/rss+xml" title="The Border Wire" '
        'href="/feeds/borderwire.xml"></head><body><p>Sample content: The Border Wire is a '
        "fictional outlet made up for the tracker's demo data.</p></body></html>\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    build()
