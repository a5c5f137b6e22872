"""Boilerplate rules as data: which lines are not article text, by language.

Each rule is (language, kind, scope, pattern). A pattern must match a whole line (stripped,
case-insensitive), so a sentence that merely mentions an advertisement or comments never
matches. Scopes:
  tail  - the line opens a trailing block (related links, comment form, author box):
          it and everything after it go, when it stands in the later part of the text;
          earlier, only it and the short teaser lines right after it go.
  line  - just this line goes.
  strip - the matched part at the end of a line goes (a copyright notice after a caption).
  teaser - only as the prefix of a teaser line ("MORE: Storm hits the coast"), as every related
          heading is too.
"""
from __future__ import annotations

# Headings that open a list of other stories.
RELATED = {
    "en": ["more stories", "more news", "more from .{2,40}", "you might also like", "you may also like",
           "you might be interested in", "related", "related articles?", "related stories", "related news",
           "related posts", "related content", "related coverage", "related topics", "read more", "read also",
           "also read", "see also", "check also", "most read", "most popular", "most viewed", "popular now",
           "recommended", "recommended for you", "recommended stories", "trending", "trending now",
           "trending stories", "latest news", "latest stories", "top stories", "editor'?s picks",
           "don'?t miss", "what to read next", "up next", "more on this story", "further reading",
           "in other news", "advertisement\\s*-\\s*scroll to continue", "sponsored stories", "around the web",
           "(next|previous) (article|story|post)"],
    "de": ["mehr zum thema", "das könnte sie auch interessieren", "das könnte dich auch interessieren",
           "weitere (aktuelle )?(artikel|beiträge|nachrichten|meldungen|themen)( .{0,40})?", "meistgelesen", "meistgelesene artikel", "lesen sie auch",
           "auch interessant", "verwandte artikel", "mehr nachrichten", "mehr aus .{2,40}", "empfehlungen",
           "zum thema", "(vorschau auf den )?nächsten? (artikel|beitrag)", "weiterlesen", "beliebte artikel", "top-artikel"],
    "fr": ["à lire aussi", "a lire aussi", "lire aussi", "à lire également", "sur le même sujet",
           "les plus lus", "articles similaires", "vous aimerez aussi", "vous aimerez aussi", "à voir aussi",
           "nos autres articles", "articles liés", "dans la même rubrique", "les plus populaires"],
    "es": ["te puede interesar", "también te puede interesar", "noticias relacionadas", "lo más leído",
           "más noticias", "lee también", "leer más", "artículos relacionados", "más leídas", "te recomendamos",
           "contenido relacionado", "mira también", "otras noticias"],
    "pt": ["leia também", "leia mais", "notícias relacionadas", "mais lidas", "mais lidos", "veja também",
           "você pode gostar", "saiba mais", "conteúdo relacionado", "outras notícias", "recomendados"],
    "it": ["leggi anche", "potrebbe interessarti", "ti potrebbe interessare", "articoli correlati",
           "i più letti", "più letti", "altre notizie", "notizie correlate", "potrebbe interessarti anche",
           "ultime notizie"],
    "ru": ["читайте также", "похожие новости", "самое читаемое", "популярное", "другие новости",
           "смотрите также", "по теме", "новости по теме", "рекомендуем", "материалы по теме", "читайте еще",
           "читайте ещё"],
    "uk": ["читайте також", "схожі новини", "найпопулярніше", "інші новини", "дивіться також",
           "новини на тему", "рекомендуємо", "по темі", "читайте ще"],
    "nl": ["lees ook", "lees meer", "meer nieuws", "gerelateerde artikelen", "meest gelezen"],
    "no": ["les også", "les mer", "mest lest"],
    "da": ["læs også", "læs mere", "mest læste"],
    "sv": ["läs också", "läs mer", "mest lästa"],
    "pl": ["czytaj (więcej|też|także|również)", "zobacz (też|także|również)", "najczęściej czytane"],
    "cs": ["(pře)?čtěte si (také|též)", "související články", "nejčtenější"],
}

# Prefixes of a teaser line of their own ("READ MORE: Storm hits coast"), with the headings above.
TEASER_PREFIXES = {"en": ["more", "read next", "see more"], "de": ["lesen sie hier"]}

# Headings and lines of comment forms.
COMMENTS = {
    "en": ["leave a reply", "leave a comment", "post a comment", "add a comment", "comments?",
           "\\d+ comments?", "join the conversation", "join the discussion", "show comments",
           "view comments", "comment on this story", "cancel reply"],
    "de": ["kommentare?", "kommentar schreiben", "\\d+ kommentare?", "diskutieren sie mit",
           "schreiben sie einen kommentar", "kommentare insgesamt:? ?\\d*"],
    "fr": ["laisser un commentaire", "commentaires?", "réagir", "ajouter un commentaire"],
    "es": ["deja un comentario", "comentarios?", "deja una respuesta", "añadir comentario"],
    "pt": ["deixe um comentário", "comentários?", "deixe uma resposta"],
    "it": ["lascia un commento", "commenti", "lascia una risposta"],
    "ru": ["комментарии", "оставить комментарий", "добавить комментарий", "оставьте комментарий"],
    "uk": ["коментарі", "залишити коментар", "додати коментар"],
}

# Lines anywhere in the text that are never prose.
LINES = {
    "en": ["advertisement", "advertisment", "ad", "sponsored", "sponsored content", "story continues below",
           "story continues below advertisement", "continue reading below", "scroll to continue( with content)?",
           "share this article.{0,40}", "share this( story| post| page)?", "share on (facebook|twitter|x|whatsapp|linkedin)",
           "share( on)?:?", "tweet", "email this", "print this( article)?", "copy link", "click to share on .{2,40}",
           "your email address will not be published\\.?.{0,60}", "required fields are marked \\*?.{0,20}",
           "(sign up|subscribe) (to|for) (our|the) .{0,40}newsletters?.{0,80}", "sign up for .{0,60}newsletters?.{0,60}",
           "get the latest .{0,60} (delivered )?(to|in) your inbox.{0,40}", "we use cookies.{0,160}",
           ".{0,80}(accept|manage) (all )?cookies.{0,80}", "this site uses cookies.{0,120}",
           "(all )?rights reserved\\.?", "copyright .{0,120}all rights reserved\\.?", "© .{0,120}",
           "image:? .{0,100}getty images", "photo(:| by| credit:?) .{0,100}", "follow us on .{0,60}", "follow .{0,40} on (twitter|x|facebook|instagram)",
           "close button", "skip to (main )?content", "listen to this article.{0,40}", "\\d+ min(ute)? read",
           "image source,? .{0,60}", "image caption,? ?", "getty images",
           "(like|liked|enjoy|enjoyed|love|loved) this (story|article|post)\\? .{0,60}",
           "also on [\\w-]+(\\.[\\w-]+)+:? .{0,200}",
           "copyright (© ?)?.{0,60}\\b(19|20)\\d\\d\\b.{0,80}"],
    "de": ["anzeige", "werbung", "artikel teilen", "teilen", "newsletter abonnieren.{0,80}", "zum newsletter.{0,60}",
           "alle rechte vorbehalten\\.?", "foto: .{0,100}", "bild: .{0,100}", "wir verwenden cookies.{0,160}"],
    "fr": ["publicité", "partager( cet article)?", "abonnez-vous à notre newsletter.{0,80}",
           "tous droits réservés\\.?", "photo ?: .{0,100}", "nous utilisons des cookies.{0,160}"],
    "es": ["publicidad", "compartir( este artículo)?", "suscríbete a nuestro boletín.{0,80}",
           "todos los derechos reservados\\.?", "foto: .{0,100}", "utilizamos cookies.{0,160}"],
    "pt": ["publicidade", "compartilhe( esta notícia)?", "partilhar", "assine nossa newsletter.{0,80}",
           "todos os direitos reservados\\.?", "foto: .{0,100}", "utilizamos cookies.{0,160}"],
    "it": ["pubblicità", "condividi( questo articolo)?", "iscriviti alla newsletter.{0,80}",
           "riproduzione riservata\\.?", "tutti i diritti riservati\\.?", "foto: .{0,100}",
           "utilizziamo i cookie.{0,160}"],
    "ru": ["реклама", "поделиться", "подписывайтесь на .{0,80}", "все права защищены\\.?", "фото: .{0,100}"],
    "uk": ["реклама", "поділитися", "підписуйтесь на .{0,80}", "усі права захищені\\.?", "фото: .{0,100}"],
}

# Prompts to the reader, not the story: newsletters, following on social media, sending tips, paywalls
# and appeals for support, comment prompts.
PROMPTS = {
    "en": [".{0,120}\\b(sign(ing)? up|subscrib(e|ing)|register(ing)?) (for|to) .{0,100}\\bnewsletters?\\b.{0,160}",
           ".{0,40}\\bnewsletter", "sign up to get .{0,120}",
           "follow .{0,120}\\b(twitter|facebook|instagram|tiktok|youtube|linkedin|telegram|whatsapp)\\b.{0,200}",
           "follow ([\\w.]+['’]s |our |the )?(full |live |latest )?(coverage|updates) .{0,200}",
           "got a (news )?(story|tip)( for us)?\\?.{0,200}", "(do you )?have a story( to (tell|share))?\\?.{0,200}",
           "get in touch with (our|the) news ?(team|desk).{0,200}",
           "if you (liked|enjoyed) (this|the) (article|story|post).{0,400}",
           "to (view|read|continue reading) (the|this) full (story|article).{0,200}",
           ".{0,80}\\balready a subscriber\\b.{0,160}",
           "tell us what you think.{0,60}", "let us know (what you think|in the comments).{0,80}"],
    "de": [".{0,120}\\bnewsletter\\b.{0,40}\\b(abonnieren|anmelden|bestellen)\\b.{0,120}",
           "folg(e|en|t|st) .{0,80}\\b(twitter|facebook|instagram|tiktok|youtube|linkedin|whatsapp|telegram)\\b.{0,100}",
           "(hat|haben) ihnen (dieser|der|unser) (artikel|beitrag) gefallen\\?.{0,200}"],
    "fr": ["il vous reste \\d.{0,120}", ".{0,60}la suite est réservée aux abonnés.{0,60}", "suivez-nous .{0,120}",
           "inscrivez-vous à (notre|la) newsletter.{0,120}"],
    "es": ["s[ií]guenos .{0,120}"],
    "pt": ["siga .{0,40}\\b(twitter|facebook|instagram|whatsapp|telegram|redes sociais)\\b.{0,100}"],
    "it": ["seguici .{0,120}"],
}

# Credits and notes about the article rather than the article: photo credits, contributors, where it
# first appeared, advertising and affiliate disclosures, reading time, a bare address.
CREDITS = {
    "en": ["(image|picture|illustration)( credits?)?: .{0,100}", "(photo|image)s? courtesy( of)? .{0,100}",
           ".{0,300}\\bcontributed (to )?(this )?report(ing)?\\b.{0,120}",
           "(this|the) (article|story|post) (was )?(first|originally) (appeared|published|ran) (in|on|at|by) .{0,120}",
           "read the original (article|story|post).{0,80}", "<?copyright ?[ⓒ©]?.{0,160}all rights reserved.{0,120}",
           ".{0,200}\\baffiliate[- ](links?|commissions?|partners?|programs?)\\b.{0,200}",
           "(estimated )?reading time:? .{0,20}", "[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+", "(https?://)?(www\\.)?(twitter|x)\\.com/\\w+"],
    "de": ["fotos?: .{0,100}", "bildquelle: .{0,100}", "titelbild: .{0,100}",
           "(dieser|der) (artikel|beitrag) (ist )?(zuerst|ursprünglich) .{0,80}erschienen\\.?",
           "(lest|lesen sie) den originalartikel.{0,80}",
           "\\*?werbung[.:]? ?(dieser|der) (beitrag|artikel) enthält .{0,200}",
           "dieser (beitrag|artikel) enthält (werbung|affiliate|partner).{0,200}",
           "(ca\\. )?lesezeit:? .{0,20}", "\\d+ min(\\.|uten)? lesezeit"],
    "fr": ["crédits? photos? ?: .{0,100}", "photos? ?: .{0,100}", "image illustrative.{0,100}", "illustration ?: .{0,100}",
           "temps de lecture ?: .{0,20}"],
    "es": ["créditos?: .{0,100}", "fotos?: .{0,100}", "tiempo de lectura:? .{0,20}"],
    "pt": ["fotos?: .{0,100}", "tempo de leitura:? .{0,20}"],
    "it": ["fotos?: .{0,100}", "tempo di lettura:? .{0,20}"],
    "pl": ["fot\\. .{0,100}", "zdjęcie: .{0,100}", "czas czytania:? .{0,20}"],
}

# A line rule that does not open with its words (".{0,120}...") is tried only on a line that holds one
# of these: each such pattern names one (tests/transforms/clean checks it), so they decide nothing, and
# save trying them on every line. The strip rules likewise need one of STRIP_NEEDS.
LINE_NEEDS = ["cookies", "newsletter", "subscriber", "abonnés", "contributed", "affiliate"]
STRIP_NEEDS = ["all rights reserved", "/(ap|afp|reuters|getty images|dpa|epa)"]

# Closing lines that open the page furniture after an article.
TAIL_LINES = {
    "en": ["source link", "source: .{0,60}", "about [A-Za-z][\\w.'-]+( [A-Za-z][\\w.'-]+){0,3}", "about the author",
           "tags?:.{0,200}", "filed under(?: ?:.{0,200})?", "topics?:.{0,200}"],
    "de": ["quelle: .{0,60}", "über den autor", "schlagworte(?: ?:.{0,200})?", "themen(?: ?:.{0,200})?"],
    "fr": ["source ?: .{0,60}", "à propos de l'auteur", "mots-clés(?: ?:.{0,200})?"],
    "es": ["fuente: .{0,60}", "sobre el autor", "etiquetas(?: ?:.{0,200})?", "temas(?: ?:.{0,200})?"],
    "pt": ["fonte: .{0,60}", "sobre o autor", "tags(?: ?:.{0,200})?"],
    "it": ["fonte: .{0,60}", "l'autore", "tag(?: ?:.{0,200})?"],
    "ru": ["источник: .{0,60}", "об авторе", "теги(?: ?:.{0,200})?"],
    "uk": ["джерело: .{0,60}", "про автора", "теги(?: ?:.{0,200})?"],
}

# Labels of a line that gives only when the page was published or updated, and its date or time.
DATE_LABELS = [
    "(last |first )?(updated|published|posted|modified)( on| at)?", "(zuletzt )?aktualisiert( am)?",
    "veröffentlicht( am)?", "stand( des artikels)?", "letzte änderung", "erstellt( am)?",
    "mis à jour( le)?", "publié( le)?", "créé( le)?", "modifié( le)?", "actualizado( el)?", "publicado( el| em)?",
    "atualizado( em)?", "aggiornato( il)?", "pubblicato( il)?", "bijgewerkt( op)?", "gepubliceerd( op)?",
    "uppdaterad", "publicerad", "oppdatert", "publisert", "opdateret", "publiceret", "aktualizacja",
    "opublikowano", "обновлено", "опубликовано", "оновлено", "опубліковано",
]

# A copyright notice glued to the end of a caption line.
STRIP_SUFFIX = [
    "copyright .{0,200}all rights reserved\\.?", "© .{0,120}all rights reserved\\.?",
    "\\(?(photo|image|foto|bild):? .{0,80}/(ap|afp|reuters|getty images|dpa|epa)\\)?",
]


def rules():
    """The table: (language, kind, scope, pattern) rows."""
    rows = []
    for kind, table, scope in (("related", RELATED, "tail"), ("comments", COMMENTS, "tail"),
                               ("furniture", TAIL_LINES, "tail"), ("line", LINES, "line"),
                               ("prompt", PROMPTS, "line"), ("credit", CREDITS, "line"),
                               ("related", TEASER_PREFIXES, "teaser")):
        for lang, patterns in table.items():
            rows += [(lang, kind, scope, p) for p in patterns]
    rows += [("*", "copyright", "strip", p) for p in STRIP_SUFFIX]
    return rows
