"""A claim and its negation sit side by side in meaning; the bot must never answer one with the other.
These messages come from the third blind user test (tests/eval/usertest3-2026-12-01.md): each
opposite was answered with the sourced claim that says the reverse, in English, Russian and
Azerbaijani; each true paraphrase beside it must still find its claim."""

from __future__ import annotations

import pytest

from bot.core import Engine
from bot.retrieve.polarity import asserted_words, contradicts, polarity

OPPOSITES = [  # (message, reply language): what the sources deny or never say
    ("/claim армяне уехали недобровольно", "ru"),  # the exodus Caspian News calls voluntary
    ("/claim the Karabakh Armenians left involuntarily", "en"),
    # "неподходящий формат" denies "подходящий" (a "не-" adjective: morph.russian_negated)
    ("/claim делегация Азербайджана заявила, что ПАСЕ — подходящая площадка для обсуждения конфликта", "ru"),
    # the Majlis "remains committed to constructive dialogue" with Luxembourg
    ("/claim the Milli Majlis says it is cutting off all dialogue with Luxembourg", "en"),
    # Azerbaijani puts the speech verb last: Bayramov is the speaker, and the sources quote no reply of his
    ("/claim Ceyhun Bayramov deputatların müraciətini rədd etdiyini açıqlayıb", "az"),
    ("/claim civilians were the target of Azerbaijan's operation", "en"),
    ("/claim PACE always held Armenia accountable", "en"),
    ("/claim Армения полностью вывела войска из Карабаха", "ru"),
    ("/claim мирные жители были целью операции", "ru"),
    ("/claim mülki insanlar əməliyyatın hədəfi idi", "az"),
    ("/claim Qarabağ erməniləri zorla qovuldu", "az"),
    ("/claim Karabakh Armenians were forced out", "en"),
    ("/claim карабахских армян выгнали силой", "ru"),
    ("/claim the Luxembourg parliament supported Azerbaijan", "en"),
    ("/claim Люксембург поддержал Азербайджан", "ru"),
    ("/claim Lüksemburq parlamenti Azərbaycanı dəstəklədi", "az"),
    # the fourth blind session (tests/eval/usertest4-2026-12-01.md): what an entry ignores, avoids or says
    # has grown
    ("/claim Armenia withdrew all its troops from Karabakh", "en"),
    ("/claim the Azerbaijani government is pursuing democratic reforms", "en"),
    ("/claim правительство Азербайджана проводит демократические реформы", "ru"),
    ("/claim Russia's influence in Azerbaijan has declined", "en"),
    ("/claim влияние России в Азербайджане ослабло", "ru"),
    ("/claim Rusiyanın Azərbaycanda təsiri azalıb", "az"),
    ("/claim the MPs acted independently", "en"),
    ("/claim good relations with the US go against Azerbaijan's national interests", "en"),
    ("/claim ABŞ ilə yaxşı münasibətlər Azərbaycanın milli maraqlarına ziddir", "az"),
    ("/claim həbslər sübutsuz aparılıb", "az"),
]
# "no X" is what a claim rejecting X says, never one that counts X; "held lawfully" needs a claim that says so
NOT_THIS_ONE = [  # (message, reply language, the claim that must not be the answer)
    ("/claim Azərbaycanda siyasi məhbus yoxdur", "az", "karimli-over-300-political-prisoners"),
    ("/claim there are no political prisoners in Azerbaijan", "en", "karimli-over-300-political-prisoners"),
    ("/claim prezident seçkiləri qanuna uyğun keçirilib", "az", "appeal-armenia-provocative-steps-normalization"),
]
PARAPHRASES = [  # (message, reply language, the claim it means)
    ("/claim the civilian population is not a target", "en", "appeal-civilians-not-a-target"),
    ("/claim əməliyyat zamanı mülki insanlar hədəfə alınmırdı", "az", "appeal-civilians-not-a-target"),
    ("/claim PACE failed to hold Armenia accountable", "en", "az-delegation-pace-failed-armenia-accountable"),
    ("/claim Armenia has not withdrawn all its troops from Karabakh", "en", "az-mfa-armenian-forces-not-withdrawn"),
    ("/claim Армения не полностью вывела войска из Карабаха", "ru", "az-mfa-armenian-forces-not-withdrawn"),
    ("/claim Karabakh Armenians left voluntarily", "en", "caspian-karabakh-armenian-exodus-voluntary"),
    ("/claim в Азербайджане нет политзаключённых", "ru", "majlis-rejects-political-prisoner-claims"),
    ("/claim the government avoids democratic reforms", "en", "mammadli-government-avoids-democratic-reforms"),
    ("/claim влияние России в Азербайджане выросло", "ru", "mammadli-russia-influence-grown"),
    ("/claim good relations with the US are in Azerbaijan's national interest", "en",
     "mammadli-good-us-relations-national-interest"),
    ("/claim the arrests were arbitrary", "en", "luxembourg-resolution-arbitrary-arrests"),
    ("/claim there are no political prisoners in Azerbaijan", "en", "majlis-rejects-political-prisoner-claims"),
    ("/claim делегация Азербайджана говорит, что ПАСЕ — неподходящий формат для обсуждения конфликта", "ru",
     "az-delegation-told-pace-not-right-format"),
]


@pytest.mark.parametrize(("message", "lang", "claim_id"), NOT_THIS_ONE)
def test_a_denial_or_a_lawfulness_is_never_answered_with_a_claim_that_says_otherwise(
        engine: Engine, message: str, lang: str, claim_id: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert reply.share_payload != f"c_{claim_id}", reply.html


@pytest.mark.parametrize(("message", "lang"), OPPOSITES)
def test_the_opposite_of_a_sourced_claim_is_not_answered_with_it(engine: Engine, message: str, lang: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert not reply.matched, reply.html


@pytest.mark.parametrize(("message", "lang", "claim_id"), PARAPHRASES)
def test_a_paraphrase_that_keeps_the_negation_still_finds_its_claim(engine: Engine, message: str, lang: str,
                                                                    claim_id: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert reply.matched and reply.share_payload == f"c_{claim_id}", reply.html


@pytest.mark.parametrize(("query", "entry", "opposite"), [
    ("civilians were the target", "the civilian population is not a target", True),
    ("civilians were not the target", "the civilian population is not a target", False),
    ("PACE held Armenia accountable", "PACE failed to hold Armenia accountable", True),
    ("Armenia withdrew its troops", "Armenia has not withdrawn its troops", True),
    ("Армения вывела войска", "Армения не полностью вывела войска", True),
    ("mülki insanlar hədəf idi", "mülki əhali hədəf deyil", True),
    ("mülki insanlar hədəfə alınmırdı", "mülki əhali hədəf deyil", False),
    # a word the entry also uses outside the negation is no contradiction
    ("the road was open", "the road was not closed; the road was open to trucks", False),
    # "no doubt that" asserts what follows; a clause ends a negation's reach
    ("the letter was written in the State Department", "he has no doubt that the letter was drafted in the "
     "State Department", False),
    ("Armenia withdrew its forces", "Armenian formations ignored the appeals to withdraw", True),
    ("the government pursues democratic reforms", "the government is trying to avoid democratic reforms", True),
    # Kashmir ends like an Azerbaijani negated verb, but this is English
    ("Kashmir talks", "talks on Kashmir", False),
    # "bu tədbirlərin hədəfi deyil" denies the target, not the measures whose target it is
    ("antiterror tədbirləri davam edir", "dinc əhali bu tədbirlərin hədəfi deyil", False),
    ("dinc əhali hədəf idi", "dinc əhali bu tədbirlərin hədəfi deyil", True),
    # a word the query both asserts and denies takes no side of its own
    ("the target is only the armed units, the civilians are not a target", "the civilians are not a target", False),
    # an Azerbaijani verb negated by its suffix denies the verb too: "tam çıxarmayıb" is no "tam çıxarıb"
    ("Ermənistan qoşunlarını tam çıxarıb", "Ermənistan qüvvələrini tam çıxarmayıb", True),
    ("Ermənistan qoşunlarını tam çıxarmayıb", "Ermənistan qüvvələrini tam çıxarmayıb", False),
    # Russian "но" ("but") is no "no"
    ("Баку открыт к диалогу, но при условии уважения", "Баку не открыт к диалогу", True),
])
def test_a_query_asserting_what_the_entry_only_denies_contradicts_it(query: str, entry: str, opposite: bool) -> None:
    assert contradicts(asserted_words(query, frozenset()), polarity([entry], frozenset())) is opposite


@pytest.mark.parametrize(("message", "lang"), [("аресты были произвольными", "ru"),
                                               ("/claim the arrests were arbitrary", "en")])
def test_an_allegation_asked_as_a_statement_leads_with_who_alleges_it(engine: Engine, message: str,
                                                                       lang: str) -> None:
    # The Luxembourg resolution alleges arbitrary arrests; the Milli Majlis's rejection of it is as near
    # by meaning and follows as the dispute, in every language.
    reply = engine.answer(message)
    lead = reply.html.split("\n")[:3]
    assert reply.matched and any("Luxembourg Chamber of Deputies" in line for line in lead), reply.html[:300]
    assert "Milli Majlis" in reply.html


@pytest.mark.parametrize("message", [
    "how many political prisoners were released after the letter?",  # the sources report calls, no release
    "сколько политзаключённых освободили перед COP29?",
    "COP29-dan əvvəl neçə siyasi məhbus azad edildi?",
    "/claim Мамедли считает, что депутаты действовали самостоятельно",  # "трудно поверить, будто …"
    "/claim the State Department has answered Aliyev's criticism",  # no party's answer is in the sources
])
def test_a_premise_the_sources_do_not_bear_out_is_not_answered(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


@pytest.mark.parametrize(("message", "who"), [
    ("Маммадли не верит, что депутаты действовали по собственной инициативе", "Mammadli"),
    ("Маммадли считает, что депутаты не действовали самостоятельно", "Mammadli"),
    ("/claim US congressmen called for the release of political prisoners", "Congress"),
])
def test_the_same_claims_said_the_sources_way_still_answer(engine: Engine, message: str, who: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and who in reply.html


def test_a_negation_ends_where_a_second_verb_joins() -> None:
    """"did not respond to Baku's calls and chose a voluntary relocation" denies the response, not
    the choice; "not a target" still denies the target (the article "a" is no joining word)."""
    from bot.retrieve.polarity import polarity

    chose = polarity(["Karabakh's ethnic Armenians did not respond to Baku's calls and chose a voluntary relocation"],
                     frozenset())
    assert "respond" in chose.denied and not {"chose", "cose"} & chose.denied
    target = polarity(["The civilian population is not a target under any circumstances"], frozenset())
    assert "target" in target.denied


def test_a_negated_light_verb_denies_no_other_deed() -> None:
    """"müraciət etməyib" ("did not appeal") denies the appeal, not every "et-" ("etdi", "etdiyi")."""
    denied = polarity(["nazir müraciət etməyib"], frozenset()).denied
    assert "murajiat" in denied and not denied & {"etdi", "etdiy", "et"}
    assert "jixarib" in polarity(["Ermənistan qüvvələrini tam çıxarmayıb"], frozenset()).denied
