"""The languages the sandbox's synthetic lyrics are written in, and what a reader knows of them.

Artists sing in the language their genres suggest (`language_for`): Brazilian and Portuguese
genres in Portuguese, the other Latin ones in Spanish, French and German hip hop in French and
German, the rest in English. Each language has its line templates and words (`Pack`); English
keeps the catalog's own words so its lyrics read as before.

The reader's side (`LEXICONS`), used by the sandbox model that analyses songs: the common words
that tell the languages apart, the words behind each content flag, and phrases that carry a
theme. The flag words are exactly the ones the themed lines below use (a test holds them to
it), so a flag is raised only where the lyrics really say so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sandbox.catalog import taxonomy as tx
from sandbox.catalog.grammar import plural, singular

ENGLISH, SPANISH, PORTUGUESE, FRENCH, GERMAN = "en", "es", "pt", "fr", "de"
LANGUAGE_NAMES = {
    ENGLISH: "English",
    SPANISH: "Spanish",
    PORTUGUESE: "Portuguese",
    FRENCH: "French",
    GERMAN: "German",
}
FLAG_THEMES = ("profanity", "violence", "substances")

# Genres (the catalog's, sandbox.catalog.taxonomy) whose artists sing in another language.
_GENRE_LANGUAGES = {
    PORTUGUESE: frozenset({"bossa nova", "mpb", "samba", "fado"}),
    SPANISH: frozenset(
        {
            "latin", "reggaeton", "latin pop", "bachata", "salsa", "cumbia", "tango",
            "regional mexican", "latin trap", "flamenco", "latin jazz",
        }
    ),  # fmt: skip
    FRENCH: frozenset({"french hip hop"}),
    GERMAN: frozenset({"german hip hop"}),
}


def language_for(genres: tuple[str, ...]) -> str:
    """The language an artist of these genres sings in."""
    for language, marks in _GENRE_LANGUAGES.items():
        if marks.intersection(genres):
            return language
    return ENGLISH


@dataclasses.dataclass(frozen=True, slots=True)
class Pack:
    """Line templates and the words that fill them: {adj}/{Adj}, {noun}/{Noun}/{nouns}, {verb}, {title}."""

    verses: tuple[str, ...]
    choruses: tuple[str, ...]
    themed: dict[str, tuple[str, ...]]  # flag theme → lines that carry it
    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]  # singular: "the {noun} is {verb}"
    verbs: tuple[str, ...]
    # {nouns}, the plural of a noun; only English lines ask for one.
    plural: Callable[[str], str] = lambda noun: noun

    def fill(self, template: str, *, adjective: str, noun: str, verb: str, title: str) -> str:
        return template.format(
            adj=adjective,
            Adj=adjective[:1].upper() + adjective[1:],
            noun=noun,
            Noun=noun[:1].upper() + noun[1:],
            nouns=self.plural(noun),
            verb=verb,
            title=title,
        )


PACKS: dict[str, Pack] = {
    ENGLISH: Pack(
        verses=(
            "I keep {verb} through the {adj} {noun}",
            "{Adj} {nouns} on the edge of town",
            "You said the {noun} would wait for me",
            "We were {verb} under a {adj} sky",
            "Every {noun} I find reminds me of you",
            "The {adj} {noun} is calling my name",
            "Count the {nouns} till the morning comes",
            "Hold the line, the {noun} is {verb}",
            "Nobody told me the {noun} was {adj}",
            "I wrote your name on a {adj} {noun}",
        ),
        choruses=(
            "Oh, {title}, don't let me go",
            "{title}, {title}, all night long",
            "Hold on to the {adj} {noun}",
            "And we're {verb}, {verb} again",
        ),
        themed={
            "profanity": (
                "Damn this {noun}, I'm tired of waiting",
                "What the hell is this {adj} {noun} for",
                "This shit town never let me go",
            ),
            "violence": (
                "He pulled a knife beneath the {adj} {noun}",
                "Blood on the {noun} and a gun in the drawer",
                "They fought until the {noun} turned red",
            ),
            "substances": (
                "Whiskey on my breath and pills by the {noun}",
                "Smoking in the {adj} {noun} till the high wears off",
            ),
        },
        # The catalog's own words, in lower case as lines use them.
        adjectives=tuple(word.lower() for word in tx.ADJECTIVES),
        nouns=tuple(singular(word).lower() for word in tx.NOUNS),
        verbs=tuple(word.lower() for word in tx.VERBS),
        plural=plural,
    ),
    SPANISH: Pack(
        verses=(
            "Sigo {verb} por {noun} {adj}",
            "Dijiste que {noun} me esperaría",
            "Estábamos {verb} bajo un cielo {adj}",
            "Cada noche me recuerda a ti",
            "{Noun} {adj} me llama por mi nombre",
            "Cuento las horas hasta que llegue el día",
            "Nadie me dijo que {noun} era tan {adj}",
            "Escribí tu nombre en {noun} {adj}",
        ),
        choruses=(
            "Oh, {title}, no me dejes ir",
            "{title}, {title}, toda la noche",
            "Y seguimos {verb}, {verb} otra vez",
            "Abrázame bajo {noun} {adj}",
        ),
        themed={
            "profanity": (
                "Maldita sea, {noun} me tiene cansado",
                "Qué mierda es {noun} {adj}",
                "Este pueblo de mierda nunca me soltó",
            ),
            "violence": (
                "Sacó un cuchillo bajo {noun} {adj}",
                "Sangre en {noun} y una pistola en el cajón",
                "Pelearon hasta que {noun} se volvió rojo",
            ),
            "substances": (
                "Whisky en el aliento y pastillas sobre {noun}",
                "Fumando en {noun} {adj} hasta que pase el efecto",
            ),
        },
        adjectives=(
            "azul", "gris", "triste", "salvaje", "dulce", "libre", "verde", "brillante",
            "distante", "fugaz", "veloz", "frágil",
        ),  # fmt: skip
        nouns=(
            "el río", "el mar", "el fuego", "el camino", "el invierno", "el silencio", "el verano",
            "el puerto", "el desierto", "el jardín", "el espejo", "el tren", "el sueño", "el viento",
        ),  # fmt: skip
        verbs=(
            "corriendo", "cayendo", "bailando", "esperando", "soñando", "ardiendo", "buscando", "cantando",
        ),  # fmt: skip
    ),
    PORTUGUESE: Pack(
        verses=(
            "Sigo {verb} com {noun} {adj}",
            "Você disse que {noun} ia me esperar",
            "Estávamos {verb} sob um céu {adj}",
            "Cada noite me lembra você",
            "{Noun} {adj} chama o meu nome",
            "Conto as horas até o amanhecer",
            "Ninguém me disse que {noun} era tão {adj}",
            "Escrevi o seu nome sobre {noun} {adj}",
        ),
        choruses=(
            "Oh, {title}, não me deixe ir",
            "{title}, {title}, a noite inteira",
            "E seguimos {verb}, {verb} outra vez",
            "Segure firme {noun} {adj}",
        ),
        themed={
            "profanity": (
                "Porra, {noun} me cansou de esperar",
                "Que merda é {noun} {adj}",
                "Essa cidade de merda nunca me deixou",
            ),
            "violence": (
                "Puxou uma faca sob {noun} {adj}",
                "Sangue sobre {noun} e uma arma na gaveta",
                "Brigaram até {noun} ficar vermelho",
            ),
            "substances": (
                "Uísque no hálito e comprimidos com {noun}",
                "Fumando sob {noun} {adj} até passar a onda",
            ),
        },
        adjectives=(
            "azul", "triste", "livre", "doce", "verde", "cinza", "selvagem", "breve", "feliz",
            "distante", "brilhante", "frágil",
        ),  # fmt: skip
        nouns=(
            "o rio", "o mar", "o fogo", "o céu", "o caminho", "o inverno", "o silêncio", "o verão",
            "o porto", "o deserto", "o jardim", "o espelho", "o trem", "o sonho", "o vento",
        ),  # fmt: skip
        verbs=(
            "correndo", "caindo", "dançando", "esperando", "sonhando", "queimando", "buscando", "cantando",
        ),  # fmt: skip
    ),
    FRENCH: Pack(
        verses=(
            "Je continue à {verb} sous {noun} {adj}",
            "Tu disais que {noun} m'attendrait",
            "On aimait {verb} sous un ciel {adj}",
            "Chaque nuit me parle de toi",
            "{Noun} {adj} appelle mon nom",
            "Je compte les heures jusqu'au matin",
            "Personne ne m'a dit que {noun} était si {adj}",
            "J'ai écrit ton nom sur {noun} {adj}",
        ),
        choruses=(
            "Oh, {title}, ne me laisse pas partir",
            "{title}, {title}, toute la nuit",
            "Et on va {verb}, {verb} encore",
            "Tiens bon contre {noun} {adj}",
        ),
        themed={
            "profanity": (
                "Putain, {noun} me fatigue",
                "C'est quoi ce bordel, {noun} {adj}",
                "Cette ville de merde ne m'a jamais lâché",
            ),
            "violence": (
                "Il a sorti un couteau sous {noun} {adj}",
                "Du sang sur {noun} et un flingue dans le tiroir",
                "Ils se sont battus jusqu'à ce que {noun} devienne rouge",
            ),
            "substances": (
                "Du whisky dans la voix et des cachets sur {noun}",
                "On fume dans {noun} {adj} jusqu'à la descente",
            ),
        },
        adjectives=(
            "bleu", "gris", "triste", "sauvage", "doux", "libre", "vert", "brûlant", "lointain",
            "fragile", "calme", "sombre",
        ),  # fmt: skip
        nouns=(
            "le fleuve", "le ciel", "le feu", "le chemin", "le silence", "le port", "le désert",
            "le jardin", "le miroir", "le train", "le rêve", "le vent", "le soir", "le quai",
        ),  # fmt: skip
        verbs=("courir", "tomber", "danser", "attendre", "rêver", "brûler", "chercher", "chanter"),
    ),
    GERMAN: Pack(
        verses=(
            "Ich bleibe wach unter dem {adj}en {noun}",
            "Du sagtest, der {noun} würde auf mich warten",
            "Wir wollten {verb} unter dem {adj}en Himmel",
            "Jede Nacht erinnert mich an dich",
            "Der {adj}e {noun} ruft meinen Namen",
            "Ich zähle die Stunden bis zum Morgen",
            "Niemand hat mir gesagt, der {noun} sei so {adj}",
            "Ich schrieb deinen Namen auf den {adj}en {noun}",
        ),
        choruses=(
            "Oh, {title}, lass mich nicht gehen",
            "{title}, {title}, die ganze Nacht",
            "Und wir {verb} und {verb} wieder",
            "Halt dich fest am {adj}en {noun}",
        ),
        themed={
            "profanity": (
                "Verdammt, der {noun} macht mich müde",
                "Was soll der Scheiß mit dem {adj}en {noun}",
                "Diese Scheißstadt ließ mich nie los",
            ),
            "violence": (
                "Er zog ein Messer unter dem {adj}en {noun}",
                "Blut auf dem {noun} und eine Waffe in der Schublade",
                "Sie kämpften, bis der {noun} rot wurde",
            ),
            "substances": (
                "Whisky im Atem und Pillen neben dem {noun}",
                "Wir rauchen im {adj}en {noun}, bis der Rausch vergeht",
            ),
        },
        # Stems: the templates add the ending ("blau" → "blauen", "blaue").
        adjectives=("blau", "grau", "still", "wild", "kalt", "fern", "leis", "sanft", "fremd", "weit"),
        nouns=(
            "Fluss", "Wind", "Traum", "Weg", "Hafen", "Garten", "Spiegel", "Zug", "Winter",
            "Sommer", "Regen", "Mond", "Sturm", "Wald",
        ),  # fmt: skip
        verbs=("laufen", "fallen", "tanzen", "warten", "träumen", "brennen", "suchen", "singen"),
    ),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Lexicon:
    """What a reader knows of a language: its common words, its flag words, its theme phrases."""

    common: frozenset[str]
    flags: dict[str, frozenset[str]]  # flag theme → words (lower case, whole words)
    themes: tuple[tuple[str, tuple[str, ...]], ...]  # (theme, phrases that carry it), in order


LEXICONS: dict[str, Lexicon] = {
    ENGLISH: Lexicon(
        common=frozenset(
            "the and you i my me on of to is we your what this a in was were don't all".split()
        ),
        flags={
            "profanity": frozenset({"damn", "hell", "shit"}),
            "violence": frozenset({"knife", "blood", "gun", "fought"}),
            "substances": frozenset({"whiskey", "pills", "smoking"}),
        },
        themes=(
            ("longing", ("reminds me of you", "calling my name", "don't let me go")),
            ("waiting", ("wait for me", "waiting")),
            ("sleepless nights", ("till the morning comes", "all night long")),
            ("small-town life", ("edge of town", "town")),
            ("love", ("your name", "hold on to")),
            ("disillusion", ("nobody told me",)),
            ("escape", ("running", "leaving", "highway")),
        ),
    ),
    SPANISH: Lexicon(
        common=frozenset("el la que y de me mi en un una por no tu es sigo cada nadie toda".split()),
        flags={
            "profanity": frozenset({"maldita", "mierda"}),
            "violence": frozenset({"cuchillo", "sangre", "pistola", "pelearon"}),
            "substances": frozenset({"whisky", "pastillas", "fumando"}),
        },
        themes=(
            ("longing", ("me recuerda a ti", "me llama por mi nombre", "no me dejes ir")),
            ("waiting", ("me esperaría", "esperando")),
            ("sleepless nights", ("hasta que llegue el día", "toda la noche")),
            ("love", ("tu nombre", "abrázame")),
            ("disillusion", ("nadie me dijo",)),
        ),
    ),
    PORTUGUESE: Lexicon(
        common=frozenset("o a que e de me meu em um não você seu sob com até cada ninguém".split()),
        flags={
            "profanity": frozenset({"porra", "merda"}),
            "violence": frozenset({"faca", "sangue", "arma", "brigaram"}),
            "substances": frozenset({"uísque", "comprimidos", "fumando"}),
        },
        themes=(
            ("longing", ("me lembra você", "chama o meu nome", "não me deixe ir")),
            ("waiting", ("ia me esperar", "esperando")),
            ("sleepless nights", ("até o amanhecer", "a noite inteira")),
            ("love", ("seu nome", "segure firme")),
            ("disillusion", ("ninguém me disse",)),
        ),
    ),
    FRENCH: Lexicon(
        common=frozenset("le la que et de je tu me mon ton sous sur un une pas ne on si".split()),
        flags={
            "profanity": frozenset({"putain", "bordel", "merde"}),
            "violence": frozenset({"couteau", "sang", "flingue", "battus"}),
            "substances": frozenset({"whisky", "cachets", "fume"}),
        },
        themes=(
            ("longing", ("me parle de toi", "appelle mon nom", "ne me laisse pas partir")),
            ("waiting", ("m'attendrait", "attendre")),
            ("sleepless nights", ("jusqu'au matin", "toute la nuit")),
            ("love", ("ton nom", "tiens bon")),
            ("disillusion", ("personne ne m'a dit",)),
        ),
    ),
    GERMAN: Lexicon(
        common=frozenset("der die das und ich du mich dich nicht ein eine dem den im am wir bis".split()),
        flags={
            "profanity": frozenset({"verdammt", "scheiß", "scheißstadt"}),
            "violence": frozenset({"messer", "blut", "waffe", "kämpften"}),
            "substances": frozenset({"whisky", "pillen", "rauchen", "rausch"}),
        },
        themes=(
            ("longing", ("erinnert mich an dich", "ruft meinen namen", "lass mich nicht gehen")),
            ("waiting", ("auf mich warten", "warten")),
            ("sleepless nights", ("bis zum morgen", "die ganze nacht", "ich bleibe wach")),
            ("love", ("deinen namen", "halt dich fest")),
            ("disillusion", ("niemand hat mir gesagt",)),
        ),
    ),
}
