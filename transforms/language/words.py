"""Frequent function words by language: evidence for short texts in close languages.

Character n-grams cannot tell a three-word Portuguese fragment from Spanish, or Czech from Slovak:
they share most of their trigrams. Function words differ ('não'/'no', 'ni'/'nem', 'sa'/'se',
'af'/'av'), and they are the most frequent words of any text, so a few of them settle what the
profiles leave open. Each list holds the language's most frequent articles, pronouns,
prepositions, conjunctions and auxiliaries. Every language of a confusable group has a list
(a word shared by several languages counts for each of them), so no member is favoured by
having a list when another has none.
"""
from __future__ import annotations

WORDS = {
    "en": "the of and to in is that for it was on with he as by at from his have are be this not but they which "
          "or an has were been their its who will would said she her we you",
    "de": "der die das und ist nicht ein eine zu den dem des mit sich von auf für im auch es als an wird werden hat "
          "sind wurde nach bei aus noch wie einer über oder aber um vor zum zur sie er wir ich ihr kann dass war in "
          "einen einem dieser diese diesen dieses wenn so schon nur sehr durch gegen unter zwischen",
    "nl": "de het een en van in is dat op te zijn voor met niet die aan er om ook als bij door naar wordt werd heeft "
          "hebben maar nog uit over tot zich ze hij worden kan dan geen deze wel of meer zo zonder welke hem zij haar ieder iedereen onze uw alle wat hun wie waar zal zou moet kunnen heel veel echter",
    "af": "die en van is het in nie te wat vir op met dat aan sy hy was word om deur ook maar kan sal nog uit na "
          "hulle ons jy ek oor tot hierdie daar wees sou haar moet alle elke sonder wie hom ons julle hulle elkeen nooit jou my baie gaan sê nou dus egter",
    "fr": "de la le les et des en du un une est que qui dans pour pas au sur par plus il elle ne se ce sont avec ou "
          "aux ont été mais nous vous son sa ses cette leur",
    "es": "de la que el en y los del se las por un para con no una su al lo es como más pero sus le ya o fue este "
          "ha sí porque esta entre cuando muy sin sobre también me hasta hay donde han desde todo nos durante ni "
          "contra otros ese eso ante ellos esto antes unos yo otro otra él esa estos ella estar estas ser será "
          "puede sea hacia dicho toda todos cualquier nadie nada tampoco cada mismo misma después ahora así aunque según",
    "pt": "de a o que e do da em um para com não uma os no se na por mais as dos como mas ao ele das à seu sua ou "
          "quando muito nos já eu também só pelo pela até isso ela entre depois sem mesmo aos seus quem nas esse "
          "eles você essa num nem suas meu às minha numa pelos elas nós lhe deles este dele foi são está ser tem "
          "há será pode seja todo toda todos qualquer ninguém nada cada mesmo mesma depois agora assim embora segundo",
    "ca": "de la el i que a en les els del per un una amb no es al és va com més però dels seu seva hi ha ho "
          "aquest aquesta també quan perquè molt ser són està tot fins sobre entre sense o ja li ells totes tots",
    "it": "di e il la che in a per un è del non una le i della con si da al dei nel sono alla delle gli ha lo più "
          "ma come anche se su o degli questo nella essere sua suo loro tra già stato hanno ogni cui dalla dal "
          "molto quando tutti ne",
    "ro": "de și în a la cu pe din care o un să nu mai ce se pentru este sau al ai ale fi sunt fost prin după dar "
          "lui unei unui acest această cel cea către orice fără",
    "da": "og i at det er en til på der af den med for ikke som de har et jeg var han om vi men så fra sig kan hun "
          "blev efter skal over også havde eller ved hvor være deres nu mod hvad ud når bliver noget enhver",
    "no": "og i er det som på en til av å at for med de ikke den har han et om var jeg vi men seg fra kan hun ble "
          "etter skal over også hadde eller ved hvor være deres nå mot hva ut når blir sin sitt sine noe enhver",
    "sv": "och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så kan "
          "hon när efter också hade eller vid skulle blev blir vara deras nu mot vad ut sin sitt sina någon "
          "ingen varje alla under",
    "cs": "a se na v je že to s z do o k i jako ale ve pro by jsou jeho které který která podle nebo už jak po co "
          "tak jen bylo byl byla má mají při až také této tento tato před však než každý jejich mezi bez být "
          "jsem ještě může svoboda svobody svobodu všech všechny všechna všichni lidé lidí člověk práce jsme jste budou proti aby když pouze velmi protože tedy zde",
    "sk": "a sa na v je že to s z do o k i ako ale vo pre by sú jeho ktoré ktorý ktorá podľa alebo už po čo tak "
          "len bolo bol bola má majú pri až tiež tejto tento táto pred však než každý ich medzi bez byť som "
          "ešte môže aj sloboda slobody slobodu všetkých všetky všetci ľudia ľudí človek práca sme ste budú proti aby keď iba veľmi pretože teda tu",
    "pl": "w i na z do się nie że to jest o a jak od po ale za przez dla co są tak jego który która które może "
          "czy być ma tylko już oraz lub przy był była było także bardzo jej ich go tym ten ta tego każdy",
    "sl": "in je v na da se za so z ki s pa tudi ne po bo kot ali to pri od do iz lahko bi ga jih že kar med še "
          "sem smo biti vsak svoje oziroma ter",
    "hr": "i je u na da se za su s od koji koja koje iz a o ne kao što to po sa ali bi će bio biti ili samo još "
          "kako ima nije do sve već ga ih pri svaki svoje ta te između",
    "ru": "и в не на что с по как это он к а но из у за о же от для так все его бы она был была было только или "
          "то при уже также их ее её они мы до если может быть который которые каждый чтобы этого этой еще человек люди когда где без через после между также ещё сейчас очень",
    "uk": "і в у не на що з по як це він до а але із за о від для так все його б вона був була було тільки або "
          "то при вже також їх її вони ми якщо може бути який які кожна кожен щоб цього цієї та має ні чи де є людина люди коли без через після між також ще зараз дуже",
    "bg": "и в на да се не за от с че е по са като това което която които той тя те но до при ще бъде има му си "
          "или един една може всеки между без към само също след когато човек хора тук сега много вече още",
    "mk": "и во на да се не за од со дека е по како тоа која кој кои тој таа тие но до при ќе биде има му си или "
          "еден една може секој меѓу без кон само исто кога сите човек луѓе тука сега многу веќе уште",
    "tr": "ve bir bu da de için ile olarak çok daha en gibi ne var olan her sonra kadar ama o şey mi değil ise "
          "veya hem ya diye göre bütün hiç kendi olduğu oldu tarafından",
    "id": "yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ke karena tersebut bisa ada "
          "mereka lebih kami sudah atau oleh seperti telah hanya harus kita setiap bahwa dapat sebagai para "
          "orang jadi ia",
}


def table() -> dict[str, set[str]]:
    """{word: {languages}}."""
    out: dict[str, set[str]] = {}
    for lang, words in WORDS.items():
        for word in words.split():
            out.setdefault(word, set()).add(lang)
    return out
