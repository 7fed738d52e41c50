"""One ranking from lexical and semantic candidates, with the evidence for each, and the tier.

Names, typos and aliases stay lexical: a confident lexical match is answered as before. A match
by meaning is answered only with confirming evidence (see `Thresholds`): a high similarity, a
margin over the runner-up, some of the query's own words in the entry, every specific entity
the query names belonging to the entry, and no name the index has never heard of. Otherwise it
is a "did you mean" or nothing.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.index import STOPWORDS, Hit, SearchIndex, Tiers, query_words
from bot.normalize import key, skeleton, words
from bot.retrieve import counts
from bot.retrieve.figures import YEAR, durations, lengths, near, numbers, spans
from bot.retrieve.mentions import Mention, MentionFinder, first_word, named_positions, proper_names
from bot.retrieve.polarity import IRREGULAR_VERBS, RUSSIAN_BUT, Polarity, asserted_words, contradicts, negates, polarity
from bot.retrieve.semantic import SemanticHit, SemanticIndex
from bot.understand.intent import guess_lang
from bot.understand.morph import russian_verb, script_lang, term_forms
from bot.understand.places import country_words


@dataclass(frozen=True)
class Thresholds:
    """Fitted on tests/eval/queries_labelled.yaml (see benchmarks/fit_tiers.py)."""

    lexical: Tiers = field(default_factory=Tiers)
    # An answer by meaning: a cosine this high with this lead over the best entry that is neither
    # this one nor linked to it (a claim and the claim disputing it may both be meant) ...
    sem_answer: float = 0.885
    margin: float = 0.01
    # ... or a lower cosine with a clear lead.
    sem_answer_wide: float = 0.85
    margin_wide: float = 0.05
    sem_suggest: float = 0.84  # a "did you mean" by meaning
    # An answer by meaning needs this share of the question's own words in the entry (or its reviewed
    # translation): "сколько политзаключённых …" lay nearest a figure about displaced people (0.10);
    # no right answer on the labelled sets is below 0.13.
    min_coverage: float = 0.12
    generic_share: float = 0.2  # an entity related to more than this share of entries is generic
    coverage_weight: float = 0.1  # how much the query's own words in the entry add to its similarity
    cross_lingual: float = 0.08  # added to the cosine of a question not in English
    # The share of a Russian or Azerbaijani question's words found in an entry's reviewed translation
    # counts at this weight toward its coverage (0.35-0.7 tried; at 1.0 four negatives were answered).
    translated_coverage: float = 0.5

    def offset(self, lang: str) -> float:
        """What a cosine gains for a question in `lang` (`cross_lingual` for Russian and Azerbaijani)."""
        return self.cross_lingual if lang != "en" else 0.0


@dataclass(frozen=True)
class Candidate:
    kind: str
    entry_id: str
    score: float  # 0..100, for ordering and the query log
    lexical: float  # the lexical score, 0..100 (0 when not a lexical candidate)
    semantic: float  # cosine of the best passage (0 when not embedded or not a candidate)
    coverage: float
    named: float
    phrase: float
    via: str  # the name, title or passage that matched best
    consistent: bool  # every specific entity, name, figure and side the query gives holds for this entry
    field: str = ""  # the semantic passage that matched ("paraphrase", "quote", "asked_as", ...)


def speakers(text: str, mentions: Sequence[Mention]) -> list[str]:
    """The entities a text makes speakers: named right before a speech verb, or after "according to"."""
    terms = [typed for typed, _ in term_forms(text)]
    out = []
    for m in mentions:
        after = m.end + 1 if m.end < len(terms) and terms[m.end] in _AUXILIARY else m.end  # "has answered"
        if after < len(terms) and terms[after] in SPEAKS_AFTER:
            out.append(m.entity_id)
        for lead in _LEADS:
            if tuple(terms[max(0, m.start - len(lead)) : m.start]) == lead:
                out.append(m.entity_id)
    # Azerbaijani puts the speech verb last: "Ceyhun Bayramov deputatların müraciətini rədd etdiyini
    # açıqlayıb" makes the subject it opens with the speaker.
    first = min(mentions, key=lambda m: m.start, default=None)
    if first is not None and first.start == 0 and first.entity_id not in out and len(terms) > first.end + 1 \
            and (terms[-1] in SPEAKS_LAST or tuple(terms[-2:]) in _SPEAKS_LAST_PAIRS):
        out.append(first.entity_id)
    return out


def speaker(text: str, mentions: Sequence[Mention], stop: frozenset[str] = frozenset()) -> str | None:
    """The entity the text makes the speaker; UNKNOWN_SPEAKER for "according to rights groups",
    "по данным правозащитников": a speaker the index has no claim by."""
    found = speakers(text, mentions)
    if found:
        return found[0]
    terms = [typed for typed, _ in term_forms(text)]
    inside = named_positions(mentions)
    for lead in _LEADS:
        for n in range(len(terms) - len(lead)):
            if tuple(terms[n:n + len(lead)]) == lead:
                k = next((k for k in range(n + len(lead), len(terms)) if terms[k] not in stop), None)
                if k is not None and k not in inside and terms[k] in _UNQUOTED_PARTIES:
                    return UNKNOWN_SPEAKER
    return None


Topic = tuple[tuple[str, ...], tuple[frozenset[str], ...]]  # a tag's words, and the forms of each found


@dataclass(frozen=True)
class Query:
    """What a query pins down besides its topic."""

    names: tuple[frozenset[str], ...]  # names it uses that are no known entity's alias (each with its base forms)
    figures: frozenset[str]
    sides: frozenset[tuple[str, str]]
    speaker: str | None = None  # the entity the query says is speaking ("Karimli says …")
    # Topic tags the query names ("sanctions", "basic law"): each as the tag and, for each of its
    # words, the forms that would do (synonyms, base forms, other scripts' words the synonyms map).
    topics: tuple[Topic, ...] = ()
    # The actor kinds it asks for: people ("the opposition leader", "министр обороны"), an outlet
    # ("the radio station Mammadli talked to"), a state ("which country backed the road"); empty: any.
    wants: frozenset[str] = frozenset()
    # The entities it names that are no owner of those words: asked for themselves, whatever their kind
    exempt: frozenset[str] = frozenset()
    asserted: tuple[frozenset[str], ...] = ()  # forms of the content words it asserts (not negated)
    subject: frozenset[str] = frozenset()  # the states it has doing something ("Армения вступила в ПАСЕ")
    spans: frozenset[str] = frozenset()  # figures naming a length of time in a name ("the 44-day war")
    lengths: tuple[tuple[str, float], ...] = ()  # lengths of time it gives, in years ("almost two decades": 20)


@dataclass(frozen=True)
class Pool:
    text: str
    lang: str
    candidates: list[Candidate]  # lexical order
    lexical_outcome: str
    semantic: bool  # whether meaning was consulted
    mentions: tuple[Mention, ...]
    unknown: tuple[str, ...]
    wants: frozenset[str] = frozenset()  # the actor kinds the query asks for (Query.wants)
    exempt: frozenset[str] = frozenset()  # Query.exempt


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]
    outcome: str  # "answer" | "suggest" | "none"
    # "lexical", "semantic", "described", "count" (a figure asked for), or why not: "unknown-name",
    # "inconsistent", "margin", "weak", "no-figure"
    basis: str
    mentions: tuple[Mention, ...] = ()
    unknown: tuple[str, ...] = ()  # names in the query the index has never seen

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


PEOPLE = frozenset({"person", "group"})  # the actor kinds a word asking for a person may mean
_OF = frozenset({"of"})  # "the state of the Lachin road" asks for no state
STATE = frozenset({"state"})
# ... and those a word asking for a body may mean ("the delegation", "the opposition parties")
NOT_PEOPLE = frozenset({"body", "group", "organisation", "outlet", "state"})

# Words that open a description of the one asked about: "the commentator who spoke to X", "депутат,
# который ...", "... kim". An entity named after one is what the description relates to, not the answer.
RELATIVE = frozenset(skeleton(w) for w in words(
    "who whom whose which where который которая которое которые которого которому которой которым "
    "кто где kim hansı harada"))
# The relative words that open a clause after the noun it describes (an Azerbaijani "hansı", "kim"
# in mid-sentence asks a question: "Lüksemburq parlamenti hansı qətnaməni qəbul etdi?").
RELATIVE_CLAUSE = frozenset(skeleton(w) for w in words(
    "who whom whose which который которая которое которые которого которому которой которым"))
# Words after which, or before which, the speaker of a claim stands: "Karimli says", "according to
# Karimli", "по словам Каримли", "Kərimliyə görə".
SPEAKS_AFTER = frozenset(skeleton(w) for w in words(
    "says said claims claimed believes thinks insists insisted argues argued calls called urges urged "
    "warns warned told states stated accuses accused denies denied rejects rejected "
    "answered responded replied answers responds replies "
    "говорит сказал сказала заявил заявила заявляет считает утверждает призвал призвала обвиняет "
    "ответил ответила ответили отреагировал отреагировала отреагировали "
    "deyir dedi bildirib bildirdi hesab iddia"))
PHRASE_RUN = 3  # words of the question in a row that make a phrase of the entry's (see Ranker._sole_phrase)
SPEAKS_LAST = frozenset(skeleton(w) for w in words(
    "açıqlayıb açıqladı bildirib bildirdi deyib dedi vurğulayıb vurğuladı söyləyib söylədi"))
_SPEAKS_LAST_PAIRS = frozenset(tuple(skeleton(w) for w in words(p)) for p in (
    "qeyd edib", "qeyd etdi", "bəyan edib", "bəyan etdi", "iddia edib", "iddia etdi", "hesab edir", "hesab edib"))
_DID = frozenset(skeleton(w) for w in words("did does do has have had"))  # before the doer of a deed asked about
# ("is"/"was" are left out: "Karimli was accused by …" makes Karimli no speaker)
_AUXILIARY = frozenset(skeleton(w) for w in words("has have had did does will also"))
SPEAKS_BEFORE = (("according", "to"), ("po", "slovam"), ("po", "mneniyu"), ("po", "dannym"), ("soglasno",))
_LEADS = tuple(tuple(skeleton(w) for w in lead) for lead in SPEAKS_BEFORE)  # as term_forms folds them
# "according to rights groups", "по данным правозащитников": parties of a kind the sources never quote.
# Only such group nouns: "according to the statement", "по данным министерства" name a document or a
# source the entry may well be ("according to the statement, Azerbaijan remains committed …").
_UNQUOTED_PARTIES = frozenset(skeleton(w) for w in words(
    "rights human activists activist ngo ngos observers watchdogs watchdog experts analysts campaigners "
    "advocates defenders monitors правозащитников правозащитники правозащитных активистов активисты "
    "экспертов эксперты аналитиков наблюдателей наблюдатели нко hüquq müdafiəçilərinə müdafiəçilərin "
    "fəallara fəalların ekspertlərə ekspertlərin müşahidəçilərə"))
UNKNOWN_SPEAKER = "\x00unknown"  # Query.speaker for "according to rights groups": a party no entry knows


@cache
def _role_words(section: str) -> frozenset[str]:
    """bot/retrieve/person_words.yaml's "people" or "bodies", folded as term_forms folds them (a
    phrase by its last word)."""
    data = yaml.safe_load(Path(__file__).with_name("person_words.yaml").read_text(encoding="utf-8"))
    return frozenset(skeleton(w) for ws in data[section].values() for entry in ws for w in words(str(entry))[-1:])


def person_words() -> frozenset[str]:
    """Words asking for a person ("leader", "министр", "nazir")."""
    return _role_words("people")


def body_words() -> frozenset[str]:
    """Words asking for a body, an outlet or an organisation ("agency", "министерство", "partiya")."""
    return _role_words("bodies")


def outlet_words() -> frozenset[str]:
    """Words asking for a news outlet ("radio", "сайт", "qəzet")."""
    return _role_words("outlets")


def state_words() -> frozenset[str]:
    """Words asking for a state ("country", "страна", "ölkə")."""
    return _role_words("states")


def asked_kinds(text: str, mentions: Sequence[Mention]) -> frozenset[str]:
    """The kinds of actor the words saying what is asked for name (see `asked`)."""
    return asked(text, mentions)[0]


_GENITIVE = ("in", "ın", "un", "ün", "nin", "nın", "nun", "nün")  # Azerbaijani: "Kərimlinin partiyası"


def asked(text: str, mentions: Sequence[Mention]) -> tuple[frozenset[str], frozenset[str]]:
    """The kinds of actor the words saying what is asked for name, outside the names the query gives,
    and the named entities those words belong to (whose own kind is not asked for: Karimli in
    "Karimli's party"; any other entity named is exempt, "Gafarova parliament" is still Gafarova).
    The first run of such words counts, and its last word is its head ("parliament speaker", "party
    leader": people; "Karimli's party": a body, not Karimli), except that an outlet word anywhere in
    it asks for an outlet ("news agency", "the state news agency"). People ("leader", "министра"),
    an outlet, a state ("which country backed the road"; not "the state of the road"), a body ("the
    aid agency": anything but a person); empty when nothing says."""
    inside = named_positions(mentions)
    people, bodies, outlets, states = person_words(), body_words(), outlet_words(), state_words()
    kinds = people | bodies | outlets | states
    forms_at = term_forms(text)
    terms = [(n, {typed} | alts) for n, (typed, alts) in enumerate(forms_at) if n not in inside]
    run: list[set[str]] = []
    first = last = -2
    for n, forms in terms:
        if forms & kinds and (not run or n == last + 1):
            if not run:
                first = n
            run.append(forms)
            last = n
        elif run:
            break
    if not run:
        return frozenset(), frozenset()
    russian = script_lang(text) == "ru"
    # Whose the words are: a name just before them, marked as an owner ("Karimli's", "Kərimlinin"),
    # or, in Russian, a name just after them ("партия Каримли")
    of = [n for n in range(last + 1, min(last + 3, len(forms_at))) if forms_at[n][0] in _OF | {"the"}]
    owners = frozenset(m.entity_id for m in mentions if (m.start == last + 1 if russian else (
        (m.end == first and (re.search(r"['’]s\b", text) or forms_at[m.end - 1][0].endswith(_GENITIVE)))
        # "the head of the foreign ministry": English puts the owner after "of" too
        or (of and forms_at[last + 1][0] in _OF and m.start == of[-1] + 1))))
    if any(forms & outlets for forms in run):
        return frozenset({"outlet"}), owners
    # Russian puts what a noun belongs to after it ("председатель партии"); English and Azerbaijani
    # before it ("party leader", "Kərimlinin partiyası").
    head = run[0] if russian else run[-1]
    if head & people:
        return PEOPLE, owners
    if head & states:
        after = forms_at[last + 1][0] if last + 1 < len(forms_at) else ""
        return (frozenset(), owners) if after in _OF else (STATE, owners)
    return NOT_PEOPLE, owners  # "the aid agency the MPs wanted out": the agency is asked for, not the MPs


@cache
def _stance_data() -> dict:
    return yaml.safe_load(Path(__file__).with_name("stance.yaml").read_text(encoding="utf-8"))


@cache
def _required() -> frozenset[str]:
    """Axes whose pole a query takes must be the entry's own (see stance.yaml's `required`)."""
    return frozenset(_stance_data().get("required", ()))


@cache
def _idioms() -> tuple[tuple[str, ...], ...]:
    """Phrases whose words take no side however they read alone (stance.yaml's `idioms`): "illegal
    armed groups" names the groups, it says nothing of what is lawful."""
    return tuple(tuple(words(str(p))) for ps in (_stance_data().get("idioms") or {}).values() for p in ps)


@cache
def _axes() -> dict[str, dict[str, tuple[frozenset[str], tuple[str, ...], tuple[tuple[tuple[str, ...], int], ...]]]]:
    """axis -> pole -> (whole words, prefixes, phrases as their words with the gap allowed between
    them), folded as queries are. A phrase written with a leading "=" has its words side by side:
    "Milli Majlis defends 2024 election" is no "Milli Majlis election"."""
    data = _stance_data()
    out: dict[str, dict[str, tuple[frozenset[str], tuple[str, ...], tuple[tuple[tuple[str, ...], int], ...]]]] = {}
    for axis, poles in data.items():
        if axis in ("required", "idioms"):
            continue
        out[axis] = {}
        for pole, langs in poles.items():
            whole: set[str] = set()
            prefixes: list[str] = []
            phrases: list[tuple[tuple[str, ...], int]] = []
            for entry in (str(w) for ws in langs.values() for w in ws):
                folded = " ".join(words(entry.rstrip("*")))
                if " " in folded:
                    phrases.append((tuple(folded.split()), 0 if entry.startswith("=") else 2))
                elif entry.endswith("*"):
                    prefixes.append(folded)
                else:
                    whole.add(folded)
            out[axis][pole] = (frozenset(whole), tuple(prefixes), tuple(phrases))
    return out


# A contrast after a comma: "picked up on solid evidence, not arbitrarily", "на основании
# доказательств, а не произвольно". The word it rejects names the other pole of its axis.
_CONTRAST = re.compile(r",\s*(?:and\s+|а\s+|и\s+)?(?:not|не)\s+([^\W\d_]+)\s*[.!?]*$", re.IGNORECASE)


def _contrasted(text: str) -> tuple[str, set[tuple[str, str]]]:
    """The text without a closing ", not X" whose X is a pole of a two-pole axis, and the other pole."""
    m = _CONTRAST.search(text)
    if not m:
        return text, set()
    rejected = words(m.group(1))
    for axis, poles in _axes().items():
        if len(poles) != 2:
            continue
        for pole, (whole, prefixes, _) in poles.items():
            if rejected and (rejected[0] in whole or rejected[0].startswith(prefixes)):
                other = next(p for p in poles if p != pole)
                return text[:m.start()], {(axis, other)}
    return text, set()


def stance(text: str) -> frozenset[tuple[str, str]]:
    """The (axis, pole) pairs a text's own words point to: ("stance", "positive"), ("direction", "remove")."""
    text, found = _contrasted(text)
    ws = words(RUSSIAN_BUT.sub(" ", text))
    # A phrase speaks for the words it is made of: "failed to comply" is a breach, not compliance,
    # and "did not comply" is no negation of the query's verb besides.
    used: set[int] = set()
    present = set(ws)
    for idiom in _idioms():
        if idiom[0] in present:
            used |= _phrase_at(idiom, ws, 0)
    for axis, poles in _axes().items():
        for pole, (_, _, phrases) in poles.items():
            for p, gap in phrases:
                if p[0] in present and (at := _phrase_at(p, ws, gap)):
                    found.add((axis, pole))
                    used |= at
    rest = [w for n, w in enumerate(ws) if n not in used]
    for axis, poles in _axes().items():
        for pole, (whole, prefixes, _) in poles.items():
            if any(w in whole or w.startswith(prefixes) for w in rest):
                found.add((axis, pole))
    if negated(rest):
        found.add(("polarity", "negated"))
    if any(w in _NONE for w in rest):
        found.add(("polarity", "none"))
    return frozenset(found)


# Words that negate a verb, folded: "did not reject", "не отверг", "deyil". ("nothing", "no one", "heç"
# are left out: as often idiom as negation; "rədd etmədi" negates by a suffix, left to the model. "No",
# "нет", "yoxdur" say something does not exist ("нет политзаключённых", "there are no political
# prisoners"): what a claim rejecting the assertions says, in other words. The scoped check in
# bot.retrieve.polarity still holds them against an entry that asserts the word they negate.)
_NEGATORS = frozenset(words("not never cannot cant dont doesnt didnt isnt arent wasnt werent wont hasnt havent "
                            "hadnt couldnt wouldnt shouldnt не никогда deyil"))


_NONE = frozenset(words("no нет yox yoxdur"))  # "there are no political prisoners", "нет политзаключённых"


def negated(ws: list[str]) -> bool:
    return any(w in _NEGATORS for w in ws)


_DENIALS = frozenset({("polarity", "negated"), ("polarity", "none"), ("stance", "negative")})


def opposed(query: frozenset[tuple[str, str]], entry: frozenset[tuple[str, str]]) -> bool:
    """The query points one way on an axis and the entry only the other way, or the query is negated
    and the entry holds no negation at all ("did not reject" is not "rejects"). The other way round
    ("can influence" against "cannot influence") is not checked: an entry's paraphrase, quote and
    phrasings so often hold a negation beside what they assert that it refused a third of true
    paraphrases (measured on the labelled set)."""
    if ("polarity", "negated") in query and ("polarity", "negated") not in entry:
        return True
    if ("polarity", "none") in query and not entry & _DENIALS:
        # "there are no political prisoners" is what a claim denying or rejecting them says, never
        # one that counts them ("over 300 political prisoners").
        return True
    for axis, pole in query:
        # An axis of one pole is said in so many words: thanks and praise ("thanked", "welcomed"),
        # lawfulness ("in line with the law"). A claim that says none of them ("a stage for
        # political adventurism") thanks no one.
        if (len(_axes().get(axis, ())) == 1 or axis in _required()) and (axis, pole) not in entry:
            return True
    for axis in {a for a, _ in query if a != "polarity"}:
        asked = {p for a, p in query if a == axis}
        held = {p for a, p in entry if a == axis}
        if len(asked) == 1 and held and not asked & held:
            return True
    return False


_SAYS = frozenset(words("says say said claims argues insists believes writes reports"))
_POSSESSIVE = re.compile(r"['’]s(?!\w)")  # "Armenia's leaders": Armenia is no doer there
_OWNS = "zzposs"  # what a possessive ending reads as, a word no name holds


def _unpossessed(text: str) -> str:
    return _POSSESSIVE.sub(f" {_OWNS}", text)


def _as_typed(text: str, count: int) -> list[str] | None:
    """The text's words as typed (lowercase, any script), when they line up one for one with its
    `count` folded words; None when folding split or joined some ("U.S.")."""
    raw = re.findall(r"[^\W_]+", text.lower())
    return raw if len(raw) == count else None


_OBJECT_NEXT = frozenset(words("the a an its to into with from up out off down"))  # a verb before its object
_AZ_POSSESSED = re.compile(r"(?:s[iu]n(?:da|dan|a)|[iu]n(?:da|dan)|s[iu])$")  # folded "ərazisində", "ərazisi"
_AZ_PAST = re.compile(r"(?:d[iu]|[iu]b|m[iu]s)(?:lar|d[iu]r)?$")  # folded: "qoşulub", "keçirildi", "olmuşdur"
_BE = frozenset(words("was were is are been be being"))  # "Armenia was offered …": the passive names no doer
_HAVE = frozenset(words("has have had"))
_ENGLISH_PAST = frozenset([*(w for base, forms in IRREGULAR_VERBS.items() if base not in ("be", "have", "do")
                             for w in forms.split()),
                           *words("set put cut let hit shut spread quit")]) - _BE  # (the past as the present)
# Who speaks is no doer of what they report: "Azerbaijan said Armenia resisted …", "Азербайджан
# заявил, что …", "Azərbaycan bildirib ki …".
_SPEECH = frozenset(words(
    "say says said claim claims claimed accuse accuses accused state states stated warn warns warned insist "
    "insists insisted argue argues argued note notes noted allege alleges alleged report reports reported "
    "believe believes believed think thinks thought call calls called"))
_SPEECH_RU = ("заяв", "сказа", "говор", "обвин", "сообщ", "утвержд", "счита", "отмет", "подчерк", "назва", "назыв",
              "отверг", "отрица", "предупред")
_SPEECH_AZ = re.compile(r"^(?:bildir|bayan|de[iy]|dedi|iddia|hesab|geyd|vurgula|ittiham|xabardarl|radd|inkar)")
_AND = frozenset(words("and и va"))
# what may open a reported clause before its subject: "says that after the war, Armenia …"
_OPENERS = frozenset(words("in after since despite contrary soon during following for over until when while before"))


def _does(ws: list[str], raw: list[str] | None, at: int, lang: str, named: frozenset[int] = frozenset()) -> bool:
    """Whether the words from `at` on tell of a deed (a verb follows the subject), not a topic or a
    report of someone else's: "Armenia joined PACE", "Армения вступила", "Ermənistan AŞPA-ya
    qoşulub", "Armenia stated that it joined …"; not "Armenia mines", "Armenia was offered …",
    "Azerbaijan said Armenia resisted …". `ws` are the folded words, `raw` the same words as typed
    (lowercase), when they line up; `named` the positions where a name begins."""
    if lang == "az":
        verbs = [w for w in ws[at + 1:] if len(w) > 4 and _AZ_PAST.search(w)]
        speech = next((n for n in range(at, len(ws)) if _SPEECH_AZ.match(ws[n])), None)
        if speech is not None:  # "Ermənistan bildirib ki, X …": whoever opens the clause after "ki"
            after = speech + 1 + (speech + 1 < len(ws) and ws[speech + 1] == "ki")
            return after < len(ws) and after not in named and any(_AZ_PAST.search(w) for w in ws[after:])
        return bool(verbs)
    if raw is not None and not raw[at].isascii():
        word = raw[at]
        if not russian_verb(word, active=True):
            return False
        if word.startswith(_SPEECH_RU):  # "Армения заявила, что построила …" (no one else named after "что")
            after = at + 1 + (at + 1 < len(raw) and raw[at + 1] in ("что", "будто"))
            return after < len(raw) and after not in named and russian_verb(raw[after], active=True)
        return True
    after = ws[at]
    if after in _SPEECH:  # "Armenia stated that it joined …" (not "Azerbaijan said Armenia resisted …")
        nxt = at + 1 + (at + 1 < len(ws) and ws[at + 1] == "that")
        return nxt + 1 < len(ws) and ws[nxt] in ("it", "they") and _does(ws, None, nxt + 1, lang)
    if after in _BE:
        return False
    if after in _HAVE:  # "Armenia has joined PACE"
        return at + 1 < len(ws) and _does(ws, None, at + 1, lang)
    return (len(after) > 4 and after.endswith("ed")) or after in _ENGLISH_PAST \
        or (at + 1 < len(ws) and ws[at + 1] in _OBJECT_NEXT)


def _verb_at(ws: list[str], at: int) -> bool:
    """A verb in an entry's English at `at`, an adverb before it skipped ("Armenia deliberately destroyed")."""
    if at < len(ws) - 1 and ws[at].endswith("ly"):
        at += 1
    return at < len(ws) and (_present(ws[at]) or ws[at].endswith("ed") or ws[at] in _ENGLISH_PAST)


def _present(word: str) -> bool:
    """A verb in a title's present tense, as curators write them: "suspends", "adopts", "proposes"."""
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word not in _BE and word != _OWNS


def _doers(kind: str, text: str, mentions: MentionFinder, states: frozenset[str],
           role_states: Mapping[str, frozenset[str]], claimant_states: frozenset[str] = frozenset(),
           group_states: Mapping[str, frozenset[str]] | None = None) -> frozenset[str]:
    """The states an entry's text has doing something: those an event's title opens with ("Azerbaijan
    and the United States sign …"), or the one right after a claim's "says" ("says that Azerbaijan
    joined …", "says the Armenian side hindered …"; not "says the Luxembourg resolution …", nor
    anyone's possession: "says Armenia's claims …"), or the one whose office the actor there holds
    ("Ilham Aliyev raises the flag …": Azerbaijan's president), or a group's own state when the title
    has it do something now ("Azerbaijan's delegation suspends …"), or the claimant's when it says it
    does something itself ("The Milli Majlis says it rejects …", "… and that it is ceasing …"). None
    known: empty."""
    text = _unpossessed(text)
    found = sorted(mentions.find(text), key=lambda m: m.start)
    ws = words(text)
    if kind == "event":
        at = 0
    elif kind == "claim":
        says = next((n for n, w in enumerate(ws[:12]) if w in _SAYS), None)
        if says is None:
            return frozenset()
        at = says + 1 + (says + 1 < len(ws) and ws[says + 1] == "that")
        if claimant_states and ((at < len(ws) - 1 and ws[at] == "it" and ws[at + 1] not in _BE)
                                or " and that it " in f" {' '.join(ws)} "):
            return claimant_states
        if at < len(ws) and ws[at] in _OPENERS:
            # "says that after the Soviet Union dissolved in 1991, Armenia launched …", "says that soon
            # after the 2020 war Azerbaijan proposed …": the state with a verb after the opening phrase
            doer = next((m for m in found if at < m.start <= at + 12 and m.entity_id in states
                         and ws[m.start - 1] not in ("the", "of", "by", "to", "in", "against", "with")
                         and _verb_at(ws, m.end)), None)
            return frozenset({doer.entity_id}) if doer is not None else frozenset()
    else:
        return frozenset()
    first = next((m for m in found if m.start >= at), None)
    if kind == "event" and first is not None and first.start == at and first.end < len(ws) \
            and ws[first.end] == _OWNS:  # "Azerbaijan's delegation suspends …": the delegation's deed
        owner, at = first.entity_id, first.end + 1
        first = next((m for m in found if m.start == at), None)
        if first is None and owner in states and at + 1 < len(ws) and _present(ws[at + 1]):
            return frozenset({owner})  # (a body no alias names: Azerbaijan's, doing it now)
    if first is not None and first.entity_id not in states and first.start == at \
            and len(tied := role_states.get(first.entity_id, frozenset())) == 1:
        return tied if first.end >= len(ws) or ws[first.end] != _OWNS else frozenset()
    if kind == "event" and first is not None and first.start == at and group_states \
            and len(tied := group_states.get(first.entity_id, frozenset())) == 1 and first.end < len(ws) \
            and _present(ws[first.end]):
        return tied  # "Luxembourg's Chamber of Deputies adopts …" (not "Azerbaijani border guards fired at")
    if first is None or first.entity_id not in states:
        return frozenset()
    if first.start == at + 1 and ws[at] == "the" and first.end - first.start < 2:
        return frozenset()  # "the Luxembourg resolution" (one word of a name after "the" is a modifier)
    if first.start not in (at, at + 1) or (first.start == at + 1 and ws[at] != "the"):
        return frozenset()
    if first.end < len(ws) and ws[first.end] == _OWNS:
        return frozenset()
    doers, last = {first.entity_id}, first
    for m in found:  # "Azerbaijan and the United States sign …"
        if m.start > last.end and m.entity_id in states and ws[last.end] in _AND \
                and m.start - last.end <= 2 and all(w in _AND or w == "the" for w in ws[last.end:m.start]):
            doers.add(m.entity_id)
            last = m
    return frozenset(doers)


def _phrase_at(phrase: Sequence[str], ws: list[str], gap: int = 2) -> set[int]:
    """The positions of the phrase's words, in order, at most `gap` words between them ("gives
    Azerbaijan back"); empty when the text does not hold it."""
    for i, w in enumerate(ws):
        if w != phrase[0]:
            continue
        at, found = i, {i}
        for part in phrase[1:]:
            nxt = next((j for j in range(at + 1, min(len(ws), at + 2 + gap)) if ws[j] == part), None)
            if nxt is None:
                break
            at = nxt
            found.add(nxt)
        else:
            return found
    return set()


class Ranker:
    def __init__(self, lexical: SearchIndex, semantic: SemanticIndex | None, mentions: MentionFinder,
                 related: dict[tuple[str, str], frozenset[str]], links: dict[str, frozenset[str]],
                 thresholds: Thresholds | None = None, texts: dict[tuple[str, str], str] | None = None,
                 proper: frozenset[str] = frozenset(), claimants: dict[str, str] | None = None,
                 states: frozenset[str] = frozenset(), capitals: frozenset[str] = frozenset(),
                 topics: dict[tuple[str, ...], frozenset[tuple[str, str]]] | None = None,
                 translated: SearchIndex | Callable[[], SearchIndex | None] | None = None,
                 actor_kinds: dict[str, str] | None = None,
                 translated_texts: Callable[[str, str], list[str]] | None = None,
                 statements: dict[tuple[str, str], list[str]] | None = None,
                 authors: dict[str, frozenset[str]] | None = None,
                 role_states: dict[str, frozenset[str]] | None = None) -> None:
        self.role_states = role_states or {}  # actor id -> the states its role names
        # group -> the actors the sources name among the authors of its statements (their `part_of`):
        # the appeal of the parliamentary leaders is Speaker Gafarova's too
        self.authors = authors or {}
        self.actor_kinds = actor_kinds or {}  # actor id -> "person", "group", "body", "state", ...
        # The entries' Russian and Azerbaijani texts, word evidence only: an index, or how to build one
        # on first use (start-up stays as fast for a bot that is never asked in those languages).
        self._translated: SearchIndex | Callable[[], SearchIndex | None] | None = translated
        self.topics = topics or {}  # topic tag (folded words) -> entries tagged with it
        self._tags_by_first: dict[str, list[tuple[str, ...]]] = {}
        for tag in self.topics:
            self._tags_by_first.setdefault(tag[0], []).append(tag)
        self.proper = proper  # words the corpus writes as names
        self.claimants = claimants or {}  # claim id -> claimant
        self.states = states  # actors that are states
        self.reported = {k[1]: frozenset(speakers(t, mentions.find(t))) for k, t in (texts or {}).items()
                         if k[0] == "claim"}  # who speaks inside each claim's own text
        # The states doing what each entry tells, as the curators write it (see `_doers`). A person
        # holding a state's office acts for it in any title ("Ilham Aliyev raises the flag …"); a group
        # a role ties to a state only when the title has it do something now (border guards "fired at"
        # were the target).
        people_states = {a: st for a, st in self.role_states.items() if self.actor_kinds.get(a) == "person"}
        group_states = {a: st for a, st in self.role_states.items() if a not in people_states}
        self._doer_states: dict[tuple[str, str], frozenset[str]] = {}
        for k, t in (texts or {}).items():
            claimant = self.claimants.get(k[1]) if k[0] == "claim" else None
            tied = self.role_states.get(claimant, frozenset()) if claimant else frozenset()
            if doers := _doers(k[0], t, mentions, states, people_states, tied if len(tied) == 1 else frozenset(),
                               group_states):
                self._doer_states[k] = doers
        self._stop = frozenset(skeleton(w) for w in STOPWORDS)  # as term_forms folds them
        self._countries = country_words()
        self.lexical = lexical
        self.semantic = semantic
        self.mentions = mentions
        self.related = related  # (kind, id) -> entity ids the entry is about, by, at, or names
        self.links = links  # claim id -> claim ids it disputes or supports (either way)
        self.t = thresholds or Thresholds()
        self._events = frozenset(i for k, i in related if k == "event")
        self._about_event: dict[str, set[str]] = {}  # event id -> the claims about it
        for (k, i), ents in related.items():
            if k == "claim":
                for e in ents & self._events:
                    self._about_event.setdefault(e, set()).add(i)
        self.facts: dict[tuple[str, str], tuple[set[str], frozenset[tuple[str, str]]]] = {
            k: (numbers(t), stance(t)) for k, t in (texts or {}).items()}
        self._texts = texts or {}
        self._durations = {k: durations(t) for k, t in self._texts.items()}  # the lengths of time each gives
        self._subjects: dict[str, frozenset[str]] = {}  # query text -> the states it has doing something
        self._statements = statements if statements is not None else {k: [t] for k, t in self._texts.items()}
        self._translated_texts = translated_texts
        self._polarities: dict[tuple[str, str], Polarity] = {}  # built on first use, per entry
        self._count_words: dict[tuple[str, str], set[str]] = {}  # an entry's word forms, in every language
        self._phrase_forms: dict[tuple[str, str], list[list[frozenset[str]]]] = {}  # its texts' content words
        counts = Counter(e for ents in related.values() for e in ents)
        n = max(1, sum(1 for k in related if k[0] in ("claim", "event")))
        # A capital standing for a state is never generic: "in Yerevan" must hold for the entry.
        self.generic = frozenset(e for e, c in counts.items() if c / n > self.t.generic_share) - capitals

    # ---- evidence

    def unknown_names(self, text: str, mentions: Sequence[Mention]) -> list[str]:
        """Names the user wrote that no entry knows ("NATO", "Erdogan"): never answered by meaning.
        A capitalised first word the index has never seen counts too ("Turkey sent troops ...")."""
        known = {w for m in mentions for w in m.typed.split()}
        tokens = proper_names(text, self.proper)
        first = first_word(text)
        if first and first[:1].isupper() and first not in tokens:
            tokens.insert(0, first)
        out = []
        alternates = dict(term_forms(text))
        for token in tokens:
            ws = [w for w in words(token) if skeleton(w) not in known]
            # a known word in a case ending is no name: "Minalardan neçə nəfər zərər çəkib?" (mina)
            if ws and not all(self._known_word(w) or any(map(self._in_vocabulary, alternates.get(skeleton(w), ())))
                              for w in ws):
                out.append(token)
        # A country written as an adjective or a nationality ("турецкие войска", "türk əsgərləri"):
        # lowercase, so no name above, yet a place the index may never have heard of.
        inside = named_positions(mentions)
        for n, (typed, alts) in enumerate(term_forms(text)):
            if n in inside:
                continue
            if typed not in self._countries and any(a in self._countries and a not in self.lexical.postings
                                                    for a in alts):
                out.append(typed)
            elif typed in self._countries and typed not in out and not self._known_word(typed):
                out.append(typed)  # a country typed in lowercase: "türkiyə qarabağa yardım göndərib?"
        return out

    def _topics(self, text: str, mentions: Sequence[Mention]) -> tuple[Topic, ...]:
        """The topic tags whose words the query holds in a row ("basic law", "sanctions")."""
        if not self.topics:
            return ()
        inside = named_positions(mentions)
        # A word, its base forms and their synonyms (the exact and synonym hits of similar_words,
        # without its fuzzy search: a topic is named, not misspelt into).
        synonyms = self.lexical.synonyms if guess_lang(text) != "en" else {}
        forms = [frozenset() if n in inside else
                 frozenset({typed, *alts, *(syn for f in (typed, *alts) for syn in synonyms.get(f, ()))})
                 for n, (typed, alts) in enumerate(term_forms(text))]
        found = []
        seen: set[tuple[str, ...]] = set()
        for start, fs in enumerate(forms):
            # Only the tags that begin with a form of this word (not every tag at every position).
            for tag in (t for f in fs for t in self._tags_by_first.get(f, ())):
                window = forms[start:start + len(tag)]
                if tag not in seen and len(window) == len(tag) and all(
                        w in f for w, f in zip(tag, window, strict=True)):
                    seen.add(tag)
                    found.append((tag, tuple(window)))
        # A tag inside a longer one found ("law" in "basic law") is the longer one's.
        return tuple(t for t in found if not any(len(o[0]) > len(t[0]) and set(t[0]) <= set(o[0]) for o in found))

    @property
    def translated(self) -> SearchIndex | None:
        if callable(self._translated):
            self._translated = self._translated()
        return self._translated

    def _in_vocabulary(self, form: str) -> bool:
        """A base form the entries or their translations use as it is (no close spellings)."""
        return form in self.lexical.postings or (self.translated is not None and form in self.translated.postings)

    def _known_word(self, w: str) -> bool:
        sk = skeleton(w)
        if sk in self.lexical.postings or (self.translated is not None and sk in self.translated.postings):
            return True  # a word of the entries, or of their reviewed translations ("Великого возвращения")
        if any(sim >= 85 for _, sim in self.lexical.similar_words(sk)):
            return True
        # Another form of a translation's word: "fəaliyyəti" (fəaliyyətini), "объявил" (объявила).
        return self.translated is not None and any(sim >= 85 for _, sim in self.translated.similar_words(sk))

    def _translation_holds(self, kind: str, entry_id: str, forms: frozenset[str]) -> bool:
        """A name as the entry's reviewed translation writes it ("Böyük Qayıdış" for the Great Return)."""
        translated = self.translated
        if translated is None:
            return False
        bag = translated.bag(kind, entry_id)
        return any(u in bag for name in forms for u, sim in translated.similar_words(name) if sim >= 85)

    def _speaks_for(self, speaker: str, claim_id: str) -> bool:
        """"Caspian News says …" must be Caspian News's claim; "Azerbaijan says …" may be its
        government's (a state speaks through its ministries), never another party's."""
        claimant = self.claimants.get(claim_id)
        if claimant is None or claimant == speaker or speaker in self.reported.get(claim_id, ()) \
                or speaker in self.authors.get(claimant, ()):
            return claimant is not None  # the claimant, one of its authors, or someone the claim quotes
        return speaker in self.states and speaker in self.related.get(("actor", claimant), frozenset())

    def consistent(self, kind: str, entry_id: str, mentions: Iterable[Mention], query: Query) -> bool:
        """Whatever the query pins down must hold for the entry: each specific entity it names is one
        the entry is by, about or names; each other name it uses is a word of the entry; each figure
        it gives is one of the entry's; and it takes no side the entry does not take."""
        own = self.related.get((kind, entry_id), frozenset())
        if kind == "claim" and (claimant := self.claimants.get(entry_id)) in self.authors:
            own = own | self.authors[claimant]  # "Speaker Gafarova's appeal says …"
        if kind in ("actor", "place"):
            own = own | {entry_id}
            # (a state asked for only orders: "which country backed the road" may be the EU, a bloc)
            if query.wants and query.wants != STATE and entry_id not in query.exempt \
                    and not self._is_wanted(kind, entry_id, query.wants):
                return False  # "the opposition leader" is no party, "министр обороны" no ministry
        if not all(m.entity_id in own for m in mentions if m.entity_id not in self.generic):
            return False
        if query.subject and not query.subject <= self._doer_states.get((kind, entry_id), query.subject):
            return False  # "когда Армения вступила в ПАСЕ?" is not "Azerbaijan accedes to the Council of Europe"
        if kind == "claim" and query.speaker and not self._speaks_for(query.speaker, entry_id):
            return False
        if kind == "event" and query.speaker == UNKNOWN_SPEAKER:
            return False  # "according to human rights groups, …": no source reports what they say
        bag = self.lexical.bag(kind, entry_id)
        if kind in ("claim", "event") and query.topics:
            # "US Congress imposed sanctions": a claim about the Congress that says nothing of
            # sanctions is about something else. A claim linked to it may hold the topic instead.
            linked = [(kind, entry_id), *(("claim", i) for i in self.links.get(entry_id, ()))] \
                if kind == "claim" else [(kind, entry_id)]
            for tag, forms in query.topics:
                tagged = self.topics.get(tag, frozenset())
                if not any(k in tagged or all(any(f in self.lexical.bag(*k) for f in fs) for fs in forms)
                           for k in linked):
                    return False
        for forms in query.names:
            if not any(u in bag for name in forms for u, sim in self.lexical.similar_words(name) if sim >= 85) \
                    and not self._translation_holds(kind, entry_id, forms):
                return False
        facts = self.facts.get((kind, entry_id))
        if facts is None:
            return True
        figures, sides = facts
        if missing := query.figures - figures:
            # "the 44-day war" is named so by the war's own event: an entry linked to it holds it
            linked = {f for e in self.related.get((kind, entry_id), frozenset()) & self._events
                      for f in self.facts.get(("event", e), (set(), frozenset()))[0]}
            if missing - (query.spans & linked):
                return False
        if query.lengths and any(not near(years, self._durations.get((kind, entry_id), frozenset()))
                                 for _, years in query.lengths):
            return False  # "for 25 years" is not the delegation's 19 (two decades would be)
        if query.asserted and contradicts(query.asserted, self.polarity(kind, entry_id)):
            return False  # "civilians were the target" is not "the civilian population is not a target"
        return not opposed(query.sides, sides)

    def warm(self) -> None:
        """Every entry's polarity, so no question pays for a first use (the engine runs this in a
        background thread at start: ~0.1 s of CPU for the real corpus, not on the start-up path)."""
        for kind, entry_id in list(self._statements):
            self.polarity(kind, entry_id)

    def polarity(self, kind: str, entry_id: str) -> Polarity:
        got = self._polarities.get((kind, entry_id))
        if got is None:
            got = self._polarities[(kind, entry_id)] = polarity(self._texts_of(kind, entry_id), self._stop)
        return got

    # ---- ranking

    def rank(self, text: str, kinds: Sequence[str] | None = None, *, semantic: bool = True,
             limit: int = 8) -> Ranking:
        return self.decide(self.pool(text, kinds, semantic=semantic), self.t, limit)

    def pool(self, text: str, kinds: Sequence[str] | None = None, *, semantic: bool = True) -> Pool:
        """Every lexical and semantic candidate with its evidence, before any threshold."""
        mentions = tuple(self.mentions.find(text))
        unknown = tuple(self.unknown_names(text, mentions))
        query = self.query(text, mentions)
        lex_hits = self.lexical.search(text, kinds=kinds, limit=8)
        lex = {(h.kind, h.entry_id): h for h in lex_hits}
        outcome = self.t.lexical.outcome(lex_hits)
        sem: dict[tuple[str, str], SemanticHit] = {}
        by_name = (outcome == "answer" and lex_hits[0].kind in ("actor", "place") and lex_hits[0].named >= 0.5
                   # "председатель Народного фронта" names the party but asks for a person: one the
                   # party is related to (the mention must hold for the answer)
                   and not (query.wants and lex_hits[0].entry_id not in query.exempt
                            and not self._is_wanted(lex_hits[0].kind, lex_hits[0].entry_id, query.wants)
                            and lex_hits[0].entry_id in {m.entity_id for m in mentions}))
        if semantic and self.semantic is not None and query_words(text) and not by_name:
            # A name, a typo of one or an alias is answered by words alone: the model is not asked.
            sem = {(h.kind, h.entry_id): h for h in self.semantic.search(text, kinds=kinds, limit=30)}
        keys = list(dict.fromkeys([*lex, *sem]))
        covs = self.lexical.coverages(text, kinds) if sem else {}
        if sem and self.translated is not None and guess_lang(text) != "en":
            # A question's words in the entry's own translation count as its words in the entry, at a
            # discount: the translation is ours, not the source's.
            for k, share in self.translated.coverages(text, kinds).items():
                covs[k] = max(covs.get(k, 0.0), self.t.translated_coverage * share)
        cands = [self._candidate(k, lex.get(k), sem.get(k), mentions, covs.get(k, 0.0), query) for k in keys]
        cands.sort(key=lambda c: (-c.score, -c.semantic, -c.phrase, c.entry_id))
        return Pool(text, guess_lang(text), cands, outcome, bool(sem), mentions, unknown, query.wants, query.exempt)

    def query(self, text: str, mentions: tuple[Mention, ...]) -> Query:
        """What the text pins down besides its topic."""
        mentioned = {w for m in mentions for w in m.typed.split()}
        guessed = counts.counted(text, self._stop) is not None
        named = spans(text)  # "the 44-day war": a name, held as a figure (see `consistent`)
        given = {f: y for f, y in lengths(text).items() if f not in named}  # (asking how many: a description)
        alternates = dict(term_forms(text))
        wants, owners = asked(text, mentions)
        return Query(
            # Names the index has never seen stay in: no entry holds them, so none is consistent.
            names=tuple(dict.fromkeys(frozenset({skeleton(w), *alternates.get(skeleton(w), ())})
                                      for t in proper_names(text, self.proper)
                                      for w in words(t) if skeleton(w) not in mentioned)),
            # A figure in a question asking for one is the asker's guess ("how many people were hit by
            # mines, three hundred or so?"): the answer gives the sources' figure, whatever the guess.
            # A year still holds ("… killed in 2025?"), and so does a length of time naming what is
            # meant ("in the 44-day war": the 30,000 killed in the war of the early 1990s are no answer).
            # A length of time ("for almost two decades") is held by an entry giving about as long.
            figures=frozenset(f for f in numbers(text) if (YEAR.fullmatch(f) or not guessed or f in named)
                              and f not in given),
            lengths=() if guessed else tuple(given.items()),
            sides=stance(text), speaker=speaker(text, mentions, self._stop),
            topics=self._topics(text, mentions), wants=wants, exempt=frozenset(m.entity_id for m in mentions) - owners,
            asserted=asserted_words(text, self._stop, frozenset(named_positions(mentions))),
            subject=self._subject(text, mentions), spans=frozenset(named))

    def _subject(self, text: str, mentions: tuple[Mention, ...]) -> frozenset[str]:
        if (got := self._subjects.get(text)) is None:
            if len(self._subjects) > 4096:
                self._subjects.clear()
            got = self._subjects[text] = self._read_subject(text, mentions)
        return got

    def _read_subject(self, text: str, mentions: tuple[Mention, ...]) -> frozenset[str]:
        """The states a query has doing something: those it opens with when a verb of theirs follows,
        not another name or a date ("Armenia joined PACE", "The United States and Armenia signed …",
        not "Azerbaijan PACE" or "Armenia 2020", which are topics), or the agent of a passive ("… was
        established by Armenia"). Empty when it names none."""
        if not mentions:
            return frozenset()
        text = _unpossessed(text)
        mentions = tuple(sorted(self.mentions.find(text), key=lambda m: m.start))
        ws = words(text)
        lang = guess_lang(text)
        actors = frozenset(m.start for m in mentions if m.entity_id in self.actor_kinds)  # (a place is no doer)
        if lang == "az":
            # The subject is the state named without a case ending, wherever it stands: "Ermənistan
            # Azərbaycana yolu təklif edib" is Armenia's deed; two such ("Azərbaycan ərazilərində
            # Ermənistan …", an izafet) leave it unsaid.
            forms = term_forms(text)
            bare = [m for m in mentions if m.entity_id in self.states and m.end - m.start == 1
                    and m.start < len(forms) and not forms[m.start][1]
                    and not (m.end < len(ws) and _AZ_POSSESSED.search(ws[m.end]))]  # "Azərbaycan ərazisində"
            if len({m.entity_id for m in bare}) != 1 or len(ws) <= bare[0].end:
                return frozenset()
            return frozenset({bare[0].entity_id}) if _does(ws, None, bare[0].end, lang, actors) else frozenset()
        if agent := self._agent(ws, mentions):
            return agent
        opening = 1 if ws and ws[0] in _DID else 0  # "did Armenia join PACE?"
        if not mentions:
            return frozenset()
        raw = _as_typed(text, len(ws))
        first = mentions[0]
        if raw is not None and first.start == 2 and raw[1] == "ли" and first.entity_id in self.states \
                and russian_verb(raw[0], active=True):
            return frozenset({first.entity_id})  # "Вступила ли Армения в Совет Европы?"
        if first.end + 2 < len(ws) and ws[first.end] == _OWNS and first.start == opening \
                and first.entity_id in self.states and _does(ws, None, first.end + 2, lang):
            return frozenset({first.entity_id})  # "Armenia's delegation suspended …": Armenia's body did it
        if first.start not in (opening, opening + 1) or (first.start == opening + 1 and ws[opening] != "the") \
                or first.entity_id not in self.states:
            return frozenset()
        doers, last = {first.entity_id}, first
        for m in mentions[1:]:  # "The United States and Armenia signed …": both
            if m.entity_id in self.states and 0 < m.start - last.end <= 2 and ws[last.end] in _AND \
                    and all(w in _AND or w == "the" for w in ws[last.end:m.start]):
                doers.add(m.entity_id)
                last = m
        if opening:
            return frozenset(doers) if len(ws) > last.end and ws[last.end] not in _BE | _SPEECH else frozenset()
        if len(ws) <= last.end or ws[last.end] == _OWNS or any(m.start == last.end for m in mentions):
            return frozenset()  # "Azerbaijan PACE" is two topics
        return frozenset(doers) if _does(ws, raw, last.end, lang, actors) else frozenset()

    def _agent(self, ws: list[str], mentions: tuple[Mention, ...]) -> frozenset[str]:
        """The state after "by" in an English passive: "The Lachin border crossing point was established
        by Armenia", "Azerbaijan was offered a peace treaty by Armenia"."""
        for n, w in enumerate(ws[:-1]):
            if w in _BE and n + 1 < len(ws) and (ws[n + 1].endswith("ed") or ws[n + 1] in _ENGLISH_PAST):
                by = next((k for k in range(n + 2, len(ws)) if ws[k] == "by"), None)
                agent = next((m for m in mentions if by is not None and m.start == by + 1 + (ws[by + 1] == "the")
                              if by + 1 < len(ws)), None)
                if agent is not None and agent.entity_id in self.states:
                    return frozenset({agent.entity_id})
        return frozenset()

    def denied_by(self, text: str, claim_ids: Iterable[str]) -> bool:
        """Whether one of these claims denies what the text asserts, or takes the other side:
        "Armenia withdrew all its troops" and the ministry's "has not withdrawn its forces"."""
        query = self.query(text, tuple(self.mentions.find(text)))
        for claim_id in claim_ids:
            facts = self.facts.get(("claim", claim_id))
            if facts is None:
                continue
            if (query.asserted and contradicts(query.asserted, self.polarity("claim", claim_id))) \
                    or opposed(query.sides, facts[1]):
                return True
        return False

    def decide(self, pool: Pool, t: Thresholds, limit: int = 8) -> Ranking:
        cands, mentions, unknown = pool.candidates, pool.mentions, pool.unknown
        count = counts.count_question(pool.text, self._stop, frozenset(named_positions(mentions)))
        if pool.lexical_outcome == "answer":
            # Names, typos and aliases stay lexical; meaning only orders equally good claims and events.
            # A claim or event must still fit what the query pins down (names, figures, side taken):
            # "PACE expelled Azerbaijan from the Council of Europe" shares most words with a claim
            # about joining it.
            top = [c for c in cands if c.lexical >= t.lexical.confident
                   and (c.consistent or (c.kind not in ("claim", "event") and not self._not_a_person(c, pool)))
                   and not self._only_named(c, pool) and not self._another_states(c, pool)]
            if count is not None:
                # "how many Armenians were expelled?" shares its words with the one million Azerbaijanis
                # expelled: a claim or event that gives no figure of what is counted is no answer to it.
                top = [c for c in top if c.kind not in ("claim", "event") or self._gives_count(c, pool, count)]
            if top:
                chosen = {(c.kind, c.entry_id) for c in top}
                rest = [c for c in cands if (c.kind, c.entry_id) not in chosen]
                top.sort(key=lambda c: (-(c.lexical + (10 * c.semantic if c.kind in ("claim", "event") else 0.0)),
                                        -c.phrase, c.entry_id))
                return Ranking([*top, *rest][:limit], "answer", "lexical", mentions, unknown)
            if not pool.semantic:
                return Ranking(cands[:limit], "suggest", "inconsistent", mentions, unknown)
            # Words matched, but not as an answer: meaning may still find the entry meant.
        if (described := [c for c in cands if c.consistent and self._described(c, pool)]) and len(described) == 1:
            # "the political commentator who spoke to Radio Azadlig": the words before "who" name one
            # actor, and what follows holds for them (Radio Azadlig is theirs): that actor.
            rest = [c for c in cands if c is not described[0]]
            return Ranking([described[0], *rest][:limit], "answer", "described", mentions, unknown)
        if not pool.semantic:
            return Ranking(cands[:limit], pool.lexical_outcome, "lexical", mentions, unknown)
        by_sem = sorted(cands, key=lambda c: (self._only_named(c, pool) or self._another_states(c, pool),
                                              self._not_a_person(c, pool),
                                              self._not_of_kind(c, pool), -self._fused(c, t), c.entry_id))
        best = by_sem[0]
        basis = self._semantic_basis(best, by_sem, unknown, t, pool)
        if basis == "semantic" and count is not None and best.kind in ("claim", "event") \
                and not self._gives_count(best, pool, count):
            # "how many journalists are in prison?" lies near the ministry's 303 mine victims, two of
            # them journalists: an entry that gives no figure of what is counted is no answer to it.
            basis = "no-figure"
        if basis == "semantic":
            return Ranking(self._asserting_first(by_sem, pool, t)[:limit], "answer", basis, mentions, unknown)
        if count is not None and basis in ("margin", "weak", "inconsistent", "no-figure") \
                and (counted := self._count_answer(by_sem, pool, t, count)):
            rest = [c for c in by_sem if c is not counted]
            return Ranking([counted, *rest][:limit], "answer", "count", mentions, unknown)
        if pool.lexical_outcome == "suggest" or (best.semantic >= t.sem_suggest and basis != "unknown-name"):
            return Ranking(by_sem[:limit], "suggest", basis, mentions, unknown)
        lexical_best = cands[0].score if cands else 0.0
        return Ranking(by_sem[:limit] if lexical_best < t.lexical.near else cands[:limit], "none", basis,
                       mentions, unknown)

    def _asserting_first(self, ranked: list[Candidate], pool: Pool, t: Thresholds) -> list[Candidate]:
        """A question that asserts something leads with the claim that asserts it, not with the claim
        rejecting it, when the two are linked and equally near: "аресты были произвольными" is the
        Luxembourg resolution's allegation (the Milli Majlis's rejection follows, as it does for "the
        arrests were arbitrary")."""
        best = ranked[0]
        if best.kind != "claim" or stance(pool.text) & _DENIALS or negates(pool.text, self._stop):
            return ranked
        denies = self.facts.get(("claim", best.entry_id), (set(), frozenset()))[1] & _DENIALS
        if not denies:
            return ranked
        linked = self.links.get(best.entry_id, frozenset())
        for n, c in enumerate(ranked[1:6], 1):
            if c.kind == "claim" and c.entry_id in linked and c.consistent \
                    and self._fused(best, t) - self._fused(c, t) <= t.margin_wide \
                    and not self.facts.get(("claim", c.entry_id), (set(), frozenset()))[1] & _DENIALS:
                return [c, *ranked[:n], *ranked[n + 1:]]
        return ranked

    def margin(self, ranked: list[Candidate], t: Thresholds, pool: Pool | None = None) -> float:
        """How far the best entry leads the best one that is neither it nor linked to it. (Measured and
        dropped: not counting the same claimant's other claims as rivals let a made-up claim through.)"""
        if not ranked:
            return 0.0
        linked = self._linked(ranked[0])
        # A party is no rival to its leader when a person is asked for ("the opposition leader").
        runner = next((c for c in ranked[1:] if c.entry_id not in linked
                       and not (pool is not None and self._not_a_person(c, pool))), None)
        return self._fused(ranked[0], t) - self._fused(runner, t) if runner else 1.0

    def translated_texts(self, kind: str, entry_id: str) -> list[str]:
        """The entry's reviewed Russian and Azerbaijani texts."""
        return self._translated_texts(kind, entry_id) if self._translated_texts is not None else []

    def stopwords(self) -> frozenset[str]:
        """The stop words, folded as queries are."""
        return self._stop

    def _linked(self, top: Candidate) -> set[str]:
        """The entries that are no rival to this one: the claims it disputes or supports, and a claim
        and the event it is about, which tell the same thing ("303 mine victims since November 2020"
        as the ministry's claim and as the event)."""
        linked = set(self.links.get(top.entry_id, frozenset()))
        if top.kind == "claim":
            linked |= {i for i in self.related.get(("claim", top.entry_id), frozenset()) if i in self._events}
        elif top.kind == "event":
            linked |= self._about_event.get(top.entry_id, set())
        return linked

    def _count_answer(self, ranked: list[Candidate], pool: Pool, t: Thresholds,
                      count: counts.Count) -> Candidate | None:
        """For a question asking for a figure ("how many congressmen signed the letter to Blinken?"):
        the one claim or event near the top that gives a figure of what is counted, when no entry
        unlinked to it gives one as near. Meaning finds the topic; the figure is the evidence."""
        if not ranked:
            return None
        bar = self._fused(ranked[0], t) - t.margin_wide
        offset = t.offset(pool.lang)
        near = [c for c in ranked[:8] if c.kind in ("claim", "event") and c.consistent
                and c.semantic + offset >= t.sem_suggest and c.coverage >= t.min_coverage
                and self._fused(c, t) >= bar]
        holders = [c for c in near if self._gives_count(c, pool, count)]
        if not holders:
            return None
        top, linked = holders[0], self._linked(holders[0])
        rival = next((c for c in holders[1:] if c.entry_id not in linked), None)
        if rival is not None and self._fused(top, t) - self._fused(rival, t) < t.margin:
            return None
        return top

    def _gives_count(self, c: Candidate, pool: Pool, count: counts.Count) -> bool:
        """The entry gives a figure of what the question counts, and holds what it says of them ("how
        many Azerbaijanis live in Armenia?" is not the 30,000 killed); when it says nothing but who gave
        the figure ("how many prisoners did Karimli mention?"), the one named must be the entry's."""
        if not counts.holds_count(self._texts_of(c.kind, c.entry_id), count.counted, count.least):
            return False
        own = self.related.get((c.kind, c.entry_id), frozenset()) | {self.claimants.get(c.entry_id, "")}
        if not all(m.entity_id in own or all(self._holds_word(c, frozenset({w})) for w in m.typed.split())
                   for m in pool.mentions):
            return False  # "how many political prisoners are there in Armenia?" is not Karimli's 300
        doer = self._doer(pool)
        if doer is not None and c.kind == "claim" and doer != self.claimants.get(c.entry_id) \
                and doer not in self.authors.get(self.claimants.get(c.entry_id, ""), ()):
            return False  # "how many PACE members did Luxembourg expel?": the Majlis's claim is no deed of Luxembourg's
        said = [f for f in count.rest if not any(numbers(w) for w in f)]
        if said:
            return any(self._holds_word(c, f) for f in said)
        return count.reported and any(m.entity_id in self.related.get((c.kind, c.entry_id), ())
                                      or m.entity_id == self.claimants.get(c.entry_id) for m in pool.mentions)

    def _doer(self, pool: Pool) -> str | None:
        """Who the question says did it: the entity right after "did", "has", "have" ("how many … did
        Luxembourg expel?", "how many prisoners has Aliyev freed?"); None when it names none."""
        terms = [typed for typed, _ in term_forms(pool.text)]
        for m in pool.mentions:
            if m.start > 0 and terms[m.start - 1] in _DID:
                return m.entity_id
        return None

    def count_given(self, text: str, c: Candidate) -> counts.Count | None:
        """The figure the question asks for, when this entry gives it (see `_gives_count`); else None."""
        mentions = tuple(self.mentions.find(text))
        count = counts.count_question(text, self._stop, frozenset(named_positions(mentions)))
        pool = Pool(text, guess_lang(text), [c], "none", False, mentions, ())
        return count if count is not None and self._gives_count(c, pool, count) else None

    def _holds_word(self, c: Candidate, forms: frozenset[str]) -> bool:
        """A word of the question in the entry's words or its reviewed translation's, in any form."""
        own = self._count_words.get((c.kind, c.entry_id))
        if own is None:
            own = set(self.lexical.bag(c.kind, c.entry_id))
            for text in self._texts_of(c.kind, c.entry_id):
                own |= {f for w, alts in term_forms(text) for f in (w, *alts)}
            self._count_words[(c.kind, c.entry_id)] = own
        return bool(forms & own) or any(counts.same_word(forms, frozenset({w})) for w in own)

    def _texts_of(self, kind: str, entry_id: str) -> list[str]:
        """An entry's English texts and its reviewed translations."""
        return [*self._statements.get((kind, entry_id), ()), *self.translated_texts(kind, entry_id)]

    @staticmethod
    def _fused(c: Candidate, t: Thresholds) -> float:
        return c.semantic + t.coverage_weight * c.coverage

    def _not_a_person(self, c: Candidate, pool: Pool) -> bool:
        """The query asks for a kind of actor (a person, an outlet, a state) and this entry is another
        kind, or a place."""
        return bool(pool.wants) and c.kind in ("actor", "place") and c.entry_id not in pool.exempt \
            and not self._is_wanted(c.kind, c.entry_id, pool.wants)

    def _another_states(self, c: Candidate, pool: Pool) -> bool:
        """An actor whose role ties it to a state, asked for as another state's: "министр иностранных
        дел Армении", "the Armenian foreign minister" is not Azerbaijan's (unless named itself)."""
        tied = self.role_states.get(c.entry_id) if c.kind == "actor" else None
        if not tied or any(m.entity_id == c.entry_id for m in pool.mentions):
            return False
        named = {m.entity_id for m in pool.mentions if m.entity_id in self.states}
        return bool(named) and not named & tied  # "American aid agency … out of Azerbaijan" is USAID

    @staticmethod
    def _not_of_kind(c: Candidate, pool: Pool) -> bool:
        """A person asked for by the body they belong to ("Xalq Cəbhəsinin sədri"): one the body is not
        related to is no candidate, however close in meaning (the Speaker, for "the chairman"); so
        for an outlet or a state asked for, among actors. A body word ("the party") asks too little
        to pass over claims and events."""
        if c.consistent or not pool.wants or pool.wants == NOT_PEOPLE:
            return False
        return pool.wants == PEOPLE or c.kind in ("actor", "place")

    def _is_wanted(self, kind: str, entry_id: str, wants: frozenset[str]) -> bool:
        """An actor of a kind the query asks for (people: a person or a group of people)."""
        return kind == "actor" and self.actor_kinds.get(entry_id) in wants

    def _only_named(self, c: Candidate, pool: Pool) -> bool:
        """An entity named inside a description of someone else: "the commentator who spoke to Radio
        Azadlig" names Radio Azadlig but asks for the commentator. True when the query names this
        actor or place after a relative word ("who", "который", "kim"), or has words of its own that
        this entry does not hold."""
        if c.kind not in ("actor", "place") or c.entry_id not in {m.entity_id for m in pool.mentions}:
            return False
        terms = [typed for typed, _ in term_forms(pool.text)]
        relative = next((n for n, w in enumerate(terms) if n > 0 and w in RELATIVE), None)
        if relative is not None and any(m.entity_id == c.entry_id and m.start > relative for m in pool.mentions):
            return True
        if self._described(c, pool):
            return False  # the one described: "the political commentator who spoke to Radio Azadlig"
        inside = named_positions(pool.mentions)
        bag = self.lexical.bag(c.kind, c.entry_id)
        rest = [w for n, w in enumerate(terms) if n not in inside and w not in self._stop]
        return bool(rest) and not all(any(u in bag for u, sim in self.lexical.similar_words(w) if sim >= 80)
                                      for w in rest)

    def _described(self, c: Candidate, pool: Pool) -> bool:
        """The query names this actor or place before a relative word and names other entities after
        it: a description of it ("the political commentator who spoke to Radio Azadlig")."""
        if c.kind not in ("actor", "place"):
            return False
        terms = [typed for typed, _ in term_forms(pool.text)]
        relative = next((n for n, w in enumerate(terms) if n > 0 and w in RELATIVE_CLAUSE), None)
        if relative is None:
            return False
        # right before it: "Aliyev met which president?" asks a question about Aliyev, describes nobody
        before = any(m.entity_id == c.entry_id and m.end == relative for m in pool.mentions)
        after = any(m.start > relative for m in pool.mentions)
        return before and after

    def _topic_evidence(self, c: Candidate, pool: Pool) -> bool:
        named = {w for m in pool.mentions for w in m.typed.split()}
        return any(key(typed) not in named for typed, _ in self.lexical.evidence(pool.text, c.kind, c.entry_id))

    def _unknown_topic(self, pool: Pool, every: bool = True) -> bool:
        """The query's words besides the entities it names are all words the index has never seen,
        in any form (an entry's text, a reviewed translation, a close spelling); or, not `every`, most
        of them are, its verbs left out ("hava limanı açılıb": the airport; not "контртеррористическую
        операцию", a word the entries do not use beside one they do)."""
        inside = named_positions(pool.mentions)
        terms = term_forms(pool.text)
        if not every:  # a verb the entries do not use ("хотели", "wanted") is no topic of its own
            raw = _as_typed(pool.text, len(terms))
            inside |= {n for n, (typed, _) in enumerate(terms)
                       if (raw is not None and not raw[n].isascii() and russian_verb(raw[n]))
                       or (pool.lang == "az" and len(typed) > 4 and _AZ_PAST.search(typed))}
        rest = [(typed, alts) for n, (typed, alts) in enumerate(terms)
                if n not in inside and typed not in self._stop and len(typed) >= 3 and not typed.isdigit()]
        known = [self._known_word(typed) or any(self._known_word(a) for a in alts) or self._known_stem(typed)
                 for typed, alts in rest]
        return bool(rest) and (not any(known) if every else 2 * known.count(False) > len(known))

    def _known_stem(self, typed: str, length: int = 6) -> bool:
        """Some word of the entries or their translations begins as this one does: an Azerbaijani or
        Russian form the suffix table does not reach ("yaradılması", with "yaradır" in a translation)."""
        if len(typed) < length + 2:
            return False
        stem = typed[:length]
        for index in (self.lexical, self.translated):
            if index is not None:
                vocab = index.vocab
                at = bisect.bisect_left(vocab, stem)
                if at < len(vocab) and vocab[at].startswith(stem):
                    return True
        return False

    def _semantic_basis(self, best: Candidate, ranked: list[Candidate], unknown: tuple[str, ...],
                        t: Thresholds, pool: Pool) -> str:
        if unknown:
            return "unknown-name"
        if not best.consistent:
            return "inconsistent"
        if best.kind == "event" and pool.lang == "en" and not self._topic_evidence(best, pool):
            # An event title is short: "Karabakh earthquake" lies near every Karabakh event. Some word
            # of the topic itself, not only the entity it is about, must be the event's own (in English:
            # a Russian or Azerbaijani topic shares no words with English titles).
            return "no-shared-words"
        if best.kind == "event" and pool.lang != "en" and pool.mentions and self._unknown_topic(pool, every=False):
            # "Xankəndi hava limanı nə vaxt açılıb?": no entry or translation knows an airport in any
            # form; the place alone put the flag raising in Khankendi near.
            return "no-shared-words"
        if best.kind in ("claim", "event") and self._unknown_topic(pool):
            # "Qarabağda zəlzələ": the only word besides the place is one no entry or translation
            # holds in any form; meaning alone puts it near every Karabakh claim.
            return "no-shared-words"
        if best.coverage < t.min_coverage:
            return "weak"
        lead = self.margin(ranked, t, pool)
        # A question in Russian or Azerbaijani lies further from English entries however close its
        # meaning: the same bar, lowered by a fitted offset.
        sem = best.semantic + t.offset(pool.lang)
        if (sem >= t.sem_answer and lead >= t.margin) or (sem >= t.sem_answer_wide and lead >= t.margin_wide):
            return "semantic"
        if sem >= t.sem_suggest and (self._sole_pole(best, ranked, pool, t)
                                     or self._sole_phrase(best, ranked, pool, t)):
            return "semantic"
        return "weak" if sem < t.sem_answer_wide else "margin"

    def _content_forms(self, text: str, skip: frozenset[int] = frozenset()) -> list[frozenset[str]]:
        """The forms of each content word of a text, in order (positions in `skip` left out)."""
        return [frozenset({w, *alts}) for n, (w, alts) in enumerate(term_forms(text))
                if n not in skip and w not in self._stop and len(w) >= 3 and not w.isdigit()]

    def _near_rivals(self, best: Candidate, ranked: list[Candidate], t: Thresholds) -> list[Candidate]:
        """The entries near the best (within the wide margin) that are neither it nor linked to it."""
        linked = self._linked(best)
        bar = self._fused(best, t) - t.margin_wide
        return [c for c in ranked[1:8] if c.entry_id not in linked and self._fused(c, t) >= bar]

    def _owns_mentions(self, c: Candidate, pool: Pool) -> bool:
        """Every entity the question names, however common, is one the entry is by, about or names."""
        own = self.related.get((c.kind, c.entry_id), frozenset())
        return all(m.entity_id in own for m in pool.mentions)

    def _run(self, asked: list[frozenset[str]], kind: str, entry_id: str) -> int:
        """The longest run of the question's content words, in order, in one of the entry's texts
        (its English ones or its reviewed translations), each word in any of its forms."""
        best = 0
        texts = self._phrase_forms.get((kind, entry_id))
        if texts is None:
            texts = [self._content_forms(text) for text in self._texts_of(kind, entry_id)]
            self._phrase_forms[(kind, entry_id)] = texts
        for got in texts:
            for i in range(len(asked)):
                for j in range(len(got)):
                    n = 0
                    while i + n < len(asked) and j + n < len(got) and asked[i + n] & got[j + n]:
                        n += 1
                    best = max(best, n)
        return best

    def _sole_phrase(self, best: Candidate, ranked: list[Candidate], pool: Pool, t: Thresholds) -> bool:
        """Three or more of the question's words in a row are the best entry's own, in some language
        ("правящий лагерь потерял чувство реальности" and Karimli's "потеряли чувство реальности"),
        no entry near it holds as long a run, and every entity the question names is the entry's.
        (Two words in a row were measured too: they answered a made-up claim on a blind set.)"""
        asked = self._content_forms(pool.text, frozenset(named_positions(pool.mentions)))
        run = self._run(asked, best.kind, best.entry_id) if len(asked) >= PHRASE_RUN else 0
        if run < PHRASE_RUN or not self._owns_mentions(best, pool):
            return False
        return not any(self._run(asked, c.kind, c.entry_id) >= run for c in self._near_rivals(best, ranked, t))

    def _sole_pole(self, best: Candidate, ranked: list[Candidate], pool: Pool, t: Thresholds) -> bool:
        """The question takes a side that must be said in so many words (stance.yaml's one-pole and
        `required` axes: "in line with the law", "of their own free will", "doesn't care", "backed"),
        the best entry says it, and no entry near it does: that side is the evidence a thin lead lacks.
        Every entity the question names, however common, must be the entry's ("Azerbaijanis left
        Armenia voluntarily" is not the Karabakh Armenians' "voluntary exodus")."""
        sides = {(a, p) for a, p in stance(pool.text) if len(_axes().get(a, ())) == 1 or a in _required()}
        if not sides:
            return False
        have = self.facts.get((best.kind, best.entry_id), (set(), frozenset()))[1]
        if not sides <= have or not self._owns_mentions(best, pool):
            return False
        # A rival blocks when it says every side too: "the presidential election was lawful" is the
        # claim that says so, not one that only speaks of the presidential election.
        return not any(sides <= self.facts.get((c.kind, c.entry_id), (set(), frozenset()))[1]
                       for c in self._near_rivals(best, ranked, t))

    def _candidate(self, ident: tuple[str, str], lex: Hit | None, sem: SemanticHit | None,
                   mentions: Sequence[Mention], coverage: float, query: Query) -> Candidate:
        kind, entry_id = ident
        coverage = max(lex.coverage, coverage) if lex else coverage
        semantic = sem.score if sem else 0.0
        scaled = 100.0 * min(1.0, max(0.0, (semantic - 0.78) / 0.17))  # comparable with lexical scores
        return Candidate(
            kind=kind, entry_id=entry_id,
            score=round(max(lex.score if lex else 0.0, scaled), 1),
            lexical=lex.score if lex else 0.0,
            semantic=semantic,
            coverage=coverage,
            named=lex.named if lex else 0.0,
            phrase=lex.phrase if lex else 0.0,
            via=lex.via if lex else (sem.text if sem else ""),
            consistent=self.consistent(kind, entry_id, mentions, query),
            field=sem.field if sem else "",
        )
