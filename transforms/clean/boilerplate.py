"""Boilerplate rules as data: which lines are not article text, by language.

Each rule is (language, kind, scope, pattern). A pattern must match a whole line (stripped,
case-insensitive), so a sentence that merely mentions an advertisement or comments never
matches. Scopes:
  tail  - the line opens a trailing block (related links, comment form, author box):
          it and everything after it go, when it stands in the later part of the text;
          earlier, only it and the short teaser lines right after it go.
  line  - just this line goes.
  strip - the matched part at the end of a line goes (a copyright notice after a caption).
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
           "in other news", "advertisement\\s*-\\s*scroll to continue", "sponsored stories", "around the web"],
    "de": ["mehr zum thema", "das könnte sie auch interessieren", "das könnte dich auch interessieren",
           "weitere artikel", "weitere nachrichten", "meistgelesen", "meistgelesene artikel", "lesen sie auch",
           "auch interessant", "verwandte artikel", "mehr nachrichten", "mehr aus .{2,40}", "empfehlungen",
           "zum thema", "weiterlesen", "beliebte artikel", "top-artikel"],
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
}

# Headings and lines of comment forms.
COMMENTS = {
    "en": ["leave a reply", "leave a comment", "post a comment", "add a comment", "comments?",
           "\\d+ comments?", "join the conversation", "join the discussion", "show comments",
           "view comments", "comment on this story", "cancel reply"],
    "de": ["kommentare?", "kommentar schreiben", "\\d+ kommentare?", "diskutieren sie mit",
           "schreiben sie einen kommentar"],
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

# A copyright notice glued to the end of a caption line.
STRIP_SUFFIX = [
    "copyright .{0,200}all rights reserved\\.?", "© .{0,120}all rights reserved\\.?",
    "\\(?(photo|image|foto|bild):? .{0,80}/(ap|afp|reuters|getty images|dpa|epa)\\)?",
]


def rules():
    """The table: (language, kind, scope, pattern) rows."""
    rows = []
    for kind, table, scope in (("related", RELATED, "tail"), ("comments", COMMENTS, "tail"),
                               ("furniture", TAIL_LINES, "tail"), ("line", LINES, "line")):
        for lang, patterns in table.items():
            rows += [(lang, kind, scope, p) for p in patterns]
    rows += [("*", "copyright", "strip", p) for p in STRIP_SUFFIX]
    return rows
