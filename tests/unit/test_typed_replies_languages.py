"""What people type in each shipped language, read the way a person would (issue 16, point 4).

One table per language: answers to "How did it go?", pain scores, red flags and their plain
negations, questions, reminder times and cities. Every language is understood whatever the
person's setting, so each table is checked with the default setting; rows that need the
setting say so.
"""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.replies import (
    Amount,
    Reply,
    is_consent,
    is_question,
    parse_amount,
    parse_answer,
    parse_pain,
)
from bot.domain.safety import RedFlag, Urgency, detect_red_flags
from bot.domain.time_of_day import AmbiguousHour, read_time_of_day
from bot.domain.timezones import ZoneChoices, ZoneFound, find_timezone

DONE, HURTS, SKIP, STOP = Reply.DONE, Reply.HURTS, Reply.SKIP, Reply.STOP
SADDLE, BLADDER, LEGS = RedFlag.SADDLE_NUMBNESS, RedFlag.BLADDER_BOWEL, RedFlag.LEG_WEAKNESS
SAFE = "no red flag"


def ask(morning: str, evening: str) -> AmbiguousHour:
    return AmbiguousHour(time.fromisoformat(morning), time.fromisoformat(evening))


def at(clock: str) -> time:
    return time.fromisoformat(clock)


# Rows: ("answer", text, (reply, pain) or None), ("pain", text, score or None),
# ("flag", text, RedFlag or SAFE), ("question", text, bool), ("time", text, reading),
# ("place", text, zone, frozenset of zones offered, or None), ("consent", text, bool: a plain
# yes to the consent question), ("amount", text, all or some of the routine).
SPANISH = [
    ("consent", "sí, acepto", True),
    ("amount", "no todo", Amount.SOME),
    ("amount", "todo", Amount.ALL),
    ("answer", "hecho", (DONE, None)),
    ("answer", "¡Listo!", (DONE, None)),
    ("answer", "ya está", (DONE, None)),
    ("answer", "terminé", (DONE, None)),
    ("answer", "termine", (DONE, None)),
    ("answer", "sin dolor", (DONE, None)),
    ("answer", "me duele", (HURTS, None)),
    ("answer", "Me duele 6", (HURTS, 6)),
    ("answer", "me duele seis", (HURTS, 6)),
    ("answer", "dolor 7/10", (HURTS, 7)),
    ("answer", "duele un poco, 3 de 10", (HURTS, 3)),
    ("answer", "saltar", (SKIP, None)),
    ("answer", "siguiente", (SKIP, None)),
    ("answer", "parar", (STOP, None)),
    ("answer", "basta", (STOP, None)),
    ("pain", "me duele 8", 8),
    ("pain", "me duele 12", None),
    ("flag", "tengo entumecimiento en la entrepierna", SADDLE),
    ("flag", "no siento la zona genital", SADDLE),
    ("flag", "no puedo orinar desde ayer", BLADDER),
    ("flag", "no, no puedo orinar", BLADDER),
    ("flag", "me hice pis encima", BLADDER),
    ("flag", "las piernas me fallan", LEGS),
    ("flag", "he perdido 6 kilos sin hacer dieta", RedFlag.WEIGHT_LOSS),
    ("flag", "me caí por las escaleras", RedFlag.SERIOUS_FALL),
    ("flag", "sin entumecimiento en la entrepierna", SAFE),
    ("flag", "no tengo problemas para orinar", SAFE),
    ("flag", "la entrepierna no está entumecida", SAFE),
    ("flag", "hace un año tengo hormigueo en el pie", SAFE),
    ("question", "¿puedo correr", True),
    ("question", "puedo hacerlo con dolor", True),
    ("question", "qué bien me siento hoy", False),
    ("time", "a las 7", ask("07:00", "19:00")),
    ("time", "a las 7 y media", ask("07:30", "19:30")),
    ("time", "a las siete y media de la tarde", at("19:30")),
    ("time", "a las 8 menos cuarto de la mañana", at("07:45")),
    ("time", "a las 10 de la noche", at("22:00")),
    ("time", "a las 3 de la madrugada", at("03:00")),
    ("time", "mediodía", at("12:00")),
    ("place", "Múnich", "Europe/Berlin"),
    ("place", "Nueva York", "America/New_York"),
    ("place", "Ciudad de México", "America/Mexico_City"),
    ("place", "Alemania", "Europe/Berlin"),
    ("place", "Valencia, España", "Europe/Madrid"),
]

PORTUGUESE = [
    ("consent", "sim", True),
    ("amount", "nem tudo", Amount.SOME),
    ("answer", "feito", (DONE, None)),
    ("answer", "Pronto!", (DONE, None)),
    ("answer", "já fiz", (DONE, None)),
    ("answer", "terminei", (DONE, None)),
    ("answer", "não dói", (DONE, None)),
    ("answer", "dói", (HURTS, None)),
    ("answer", "doi", (HURTS, None)),
    ("answer", "tá doendo", (HURTS, None)),
    ("answer", "dói 6/10", (HURTS, 6)),
    ("answer", "doeu, uns 4 de 10", (HURTS, 4)),
    ("answer", "dor sete", (HURTS, 7)),
    ("answer", "pular", (SKIP, None)),
    ("answer", "próximo", (SKIP, None)),
    ("answer", "parar", (STOP, None)),
    ("answer", "chega", (STOP, None)),
    ("pain", "dói 9", 9),
    ("flag", "dormência na virilha", SADDLE),
    ("flag", "não sinto a região genital", SADDLE),
    ("flag", "não consigo fazer xixi", BLADDER),
    ("flag", "não consigo segurar o xixi", BLADDER),
    ("flag", "minhas pernas estão falhando", LEGS),
    ("flag", "levei um tombo ontem", RedFlag.SERIOUS_FALL),
    ("flag", "não tenho dormência na virilha", SAFE),
    ("flag", "sem dormência na virilha", SAFE),
    ("flag", "não tenho problemas para urinar", SAFE),
    ("question", "posso fazer com dor", True),
    ("question", "é normal doer assim", True),
    ("question", "que dor nas costas hoje", False),
    ("time", "às 7h", at("07:00")),
    ("time", "às 19h30", at("19:30")),
    ("time", "às 7 e meia", ask("07:30", "19:30")),
    ("time", "às 7 e meia da manhã", at("07:30")),
    ("time", "às duas da tarde", at("14:00")),
    ("time", "meio-dia", at("12:00")),
    ("place", "São Paulo", "America/Sao_Paulo"),
    ("place", "Sao Paulo", "America/Sao_Paulo"),
    ("place", "Munique", "Europe/Berlin"),
    ("place", "Nova York", "America/New_York"),
    ("place", "França", "Europe/Paris"),
]

RUSSIAN = [
    ("consent", "Да, согласна", True),
    ("consent", "готово", False),
    ("amount", "часть", Amount.SOME),
    ("answer", "готово", (DONE, None)),
    ("answer", "Сделал", (DONE, None)),
    ("answer", "сделала", (DONE, None)),
    ("answer", "всё сделал", (DONE, None)),
    ("answer", "все сделал", (DONE, None)),
    ("answer", "не болит", (DONE, None)),
    ("answer", "болит", (HURTS, None)),
    ("answer", "Больно!", (HURTS, None)),
    ("answer", "болит 7", (HURTS, 7)),
    ("answer", "боль 6 из 10", (HURTS, 6)),
    ("answer", "болит, шесть", (HURTS, 6)),
    ("answer", "пропустить", (SKIP, None)),
    ("answer", "дальше", (SKIP, None)),
    ("answer", "стоп", (STOP, None)),
    ("answer", "хватит", (STOP, None)),
    ("pain", "больно, где-то 5", 5),
    ("flag", "онемение в паху", SADDLE),
    ("flag", "Не чувствую промежность", SADDLE),
    ("flag", "в паху ничего не чувствую", SADDLE),
    ("flag", "не могу помочиться", BLADDER),
    ("flag", "не могу удержать мочу", BLADDER),
    ("flag", "ноги подкашиваются", LEGS),
    ("flag", "слабость в ногах усиливается", LEGS),
    ("flag", "болит даже в покое", RedFlag.NIGHT_PAIN),
    ("flag", "у меня температура 39", RedFlag.FEVER),
    ("flag", "нет онемения в паху", SAFE),
    ("flag", "у меня нет онемения в паху", SAFE),
    ("flag", "не чувствую онемения в паху", SAFE),
    ("flag", "никаких проблем с мочеиспусканием", SAFE),
    ("flag", "ноги устали после прогулки", SAFE),
    ("question", "можно ли делать с болью", True),
    ("question", "как хорошо сегодня", False),
    ("time", "в 7 утра", at("07:00")),
    ("time", "в 19:30", at("19:30")),
    ("time", "в полвосьмого", ask("07:30", "19:30")),
    ("time", "в половине восьмого вечера", at("19:30")),
    ("time", "в 2 дня", at("14:00")),
    ("time", "в 12 ночи", at("00:00")),
    ("time", "без четверти восемь", ask("07:45", "19:45")),
    ("place", "Москва", "Europe/Moscow"),
    ("place", "Мюнхен", "Europe/Berlin"),
    ("place", "Нью-Йорк", "America/New_York"),
    ("place", "Кёльн", "Europe/Berlin"),
    ("place", "Кельн", "Europe/Berlin"),
    ("place", "Германия", "Europe/Berlin"),
    ("place", "Россия", None),  # several zones: never a guess
    ("place", "Женева", "Europe/Zurich"),
    ("place", "Мадиун", "Asia/Jakarta"),  # no Cyrillic name listed: transliterated
]

GERMAN = [
    ("consent", "einverstanden", True),
    ("amount", "teilweise", Amount.SOME),
    ("answer", "fertig", (DONE, None)),
    ("answer", "Erledigt!", (DONE, None)),
    ("answer", "geschafft", (DONE, None)),
    ("answer", "hab's gemacht", (DONE, None)),
    ("answer", "tut nicht weh", (DONE, None)),
    ("answer", "tut weh", (HURTS, None)),
    ("answer", "schmerzt", (HURTS, None)),
    ("answer", "Schmerz 5 von 10", (HURTS, 5)),
    ("answer", "tut weh, sechs", (HURTS, 6)),
    ("answer", "aua 8", (HURTS, 8)),
    ("answer", "überspringen", (SKIP, None)),
    ("answer", "ueberspringen", (SKIP, None)),
    ("answer", "stopp", (STOP, None)),
    ("answer", "aufhören", (STOP, None)),
    ("pain", "tut ein bisschen weh, 3", 3),
    ("flag", "Taubheit im Schritt", SADDLE),
    ("flag", "mein Schritt ist taub", SADDLE),
    ("flag", "ich spüre meinen Schritt nicht", SADDLE),
    ("flag", "Reithosenanästhesie", SADDLE),
    ("flag", "ich kann nicht pinkeln", BLADDER),
    ("flag", "ich kann den Urin nicht halten", BLADDER),
    ("flag", "meine Beine knicken weg", LEGS),
    ("flag", "Schmerzen auch in Ruhe", RedFlag.NIGHT_PAIN),
    ("flag", "ich hatte Krebs", RedFlag.CANCER_HISTORY),
    ("flag", "keine Taubheit im Schritt", SAFE),
    ("flag", "mein Schritt ist nicht taub", SAFE),
    ("flag", "ich habe keine Probleme beim Wasserlassen", SAFE),
    ("question", "darf ich joggen gehen", True),
    ("question", "wie schön das war", False),
    ("time", "um 7 Uhr", ask("07:00", "19:00")),
    ("time", "um 19 Uhr", at("19:00")),
    ("time", "halb acht", ask("07:30", "19:30")),
    ("time", "halb acht abends", at("19:30")),
    ("time", "viertel vor 8", ask("07:45", "19:45")),
    ("time", "um 9 Uhr morgens", at("09:00")),
    ("place", "München", "Europe/Berlin"),
    ("place", "Köln", "Europe/Berlin"),
    ("place", "Koeln", "Europe/Berlin"),
    ("place", "Deutschland", "Europe/Berlin"),
    ("place", "Köln, Deutschland", "Europe/Berlin"),
    ("place", "Peking", "Asia/Shanghai"),
]

UKRAINIAN = [
    ("consent", "так", True),
    ("amount", "частково", Amount.SOME),
    ("answer", "готово", (DONE, None)),
    ("answer", "зроблено", (DONE, None)),
    ("answer", "зробила", (DONE, None)),
    ("answer", "не болить", (DONE, None)),
    ("answer", "болить", (HURTS, None)),
    ("answer", "боляче", (HURTS, None)),
    ("answer", "болить 7", (HURTS, 7)),
    ("answer", "біль 4 з 10", (HURTS, 4)),
    ("answer", "болить, шість", (HURTS, 6)),
    ("answer", "пропустити", (SKIP, None)),
    ("answer", "далі", (SKIP, None)),
    ("answer", "стоп", (STOP, None)),
    ("answer", "досить", (STOP, None)),
    ("pain", "болить 10", 10),
    ("flag", "оніміння в паху", SADDLE),
    ("flag", "не відчуваю промежини", SADDLE),
    ("flag", "не можу помочитися", BLADDER),
    ("flag", "не можу утримати сечу", BLADDER),
    ("flag", "ноги підкошуються", LEGS),
    ("flag", "у мене остеопороз", RedFlag.OSTEOPOROSIS),
    ("flag", "немає оніміння в паху", SAFE),
    ("flag", "у мене немає оніміння в паху", SAFE),
    ("flag", "пах не онімів", SAFE),
    ("question", "чи можна бігати", True),
    ("question", "що робити якщо болить", True),
    ("time", "о 7 ранку", at("07:00")),
    ("time", "о сьомій ранку", at("07:00")),
    ("time", "о 19:30", at("19:30")),
    ("time", "пів на восьму", ask("07:30", "19:30")),
    ("time", "о 10 вечора", at("22:00")),
    ("time", "о 7 годині вечора", at("19:00")),
    ("place", "Київ", "Europe/Kyiv"),
    ("place", "Київ, Україна", "Europe/Kyiv"),
    ("place", "Львів", "Europe/Kyiv"),
    ("place", "Харків", "Europe/Kyiv"),
    ("place", "Одеса", "Europe/Kyiv"),
    ("place", "Україна", "Europe/Kyiv"),
]

INDONESIAN = [
    ("consent", "setuju", True),
    ("amount", "sebagian", Amount.SOME),
    ("answer", "selesai", (DONE, None)),
    ("answer", "sudah", (DONE, None)),
    ("answer", "udah", (DONE, None)),
    ("answer", "beres", (DONE, None)),
    ("answer", "tidak sakit", (DONE, None)),
    ("answer", "sakit", (HURTS, None)),
    ("answer", "sakit banget", (HURTS, None)),
    ("answer", "sakit 8", (HURTS, 8)),
    ("answer", "nyeri 5 dari 10", (HURTS, 5)),
    ("answer", "sakit enam", (HURTS, 6)),
    ("answer", "lewati", (SKIP, None)),
    ("answer", "lanjut", (SKIP, None)),
    ("answer", "berhenti", (STOP, None)),
    ("answer", "cukup", (STOP, None)),
    ("pain", "sakit, kira kira 4", 4),
    ("flag", "mati rasa di selangkangan", SADDLE),
    ("flag", "selangkangan kebas", SADDLE),
    ("flag", "tidak bisa kencing", BLADDER),
    ("flag", "gak bisa nahan kencing", BLADDER),
    ("flag", "kaki tertekuk sendiri", LEGS),
    ("flag", "berat badan turun drastis", RedFlag.WEIGHT_LOSS),
    ("flag", "saya demam", RedFlag.FEVER),
    ("flag", "tidak ada mati rasa di selangkangan", SAFE),
    ("flag", "tidak ada masalah kencing", SAFE),
    ("flag", "sakit punggung", SAFE),
    ("question", "apakah boleh lari", True),
    ("question", "bolehkah saya lari", True),
    ("time", "jam 7 pagi", at("07:00")),
    ("time", "pukul 19.30", at("19:30")),
    ("time", "jam 7", ask("07:00", "19:00")),
    ("time", "jam setengah delapan", ask("07:30", "19:30")),
    ("time", "jam 1 siang", at("13:00")),
    ("time", "jam 10 malam", at("22:00")),
    ("place", "Jakarta", "Asia/Jakarta"),
    ("place", "Surabaya", "Asia/Jakarta"),
    ("place", "Denpasar", "Asia/Makassar"),
    ("place", "Jogja", "Asia/Jakarta"),
]

LANGUAGES = {
    "es": SPANISH,
    "pt_BR": PORTUGUESE,
    "ru": RUSSIAN,
    "de": GERMAN,
    "uk": UKRAINIAN,
    "id": INDONESIAN,
}
ROWS = [
    pytest.param(kind, text, expected, id=f"{language}-{kind}-{text}")
    for language, rows in LANGUAGES.items()
    for kind, text, expected in rows
]


def _read(kind: str, text: str):
    """What the bot makes of the text, in the form the tables give."""
    if kind == "answer":
        found = parse_answer(text)
        return None if found is None else (found.reply, found.pain)
    if kind == "pain":
        return parse_pain(text)
    if kind == "flag":
        finding = detect_red_flags(text)
        return SAFE if finding is None else finding.reasons[0]
    if kind == "question":
        return is_question(text)
    if kind == "consent":
        return is_consent(text)
    if kind == "amount":
        return parse_amount(text)
    if kind == "time":
        return read_time_of_day(text)
    found = find_timezone(text)
    if isinstance(found, ZoneChoices):
        return frozenset(place.zone for place in found.places)
    return found.zone if isinstance(found, ZoneFound) else None


@pytest.mark.parametrize(("kind", "text", "expected"), ROWS)
def test_typed_replies(kind: str, text: str, expected) -> None:
    assert _read(kind, text) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_25_typed_replies_of_every_kind(language: str) -> None:
    rows = LANGUAGES[language]
    assert len(rows) >= 25
    kinds = {kind for kind, _, _ in rows}
    assert kinds >= {"answer", "pain", "flag", "time", "place", "question"}
    flags = [expected for kind, _, expected in rows if kind == "flag"]
    assert SAFE in flags and {SADDLE, BLADDER, LEGS} <= set(flags)


def test_urgent_red_flags_are_urgent_in_every_language() -> None:
    for rows in LANGUAGES.values():
        for kind, text, expected in rows:
            if kind == "flag" and expected in (SADDLE, BLADDER, LEGS):
                finding = detect_red_flags(text)
                assert finding is not None and finding.urgency is Urgency.URGENT, text


def test_language_settles_a_name_that_means_two_places() -> None:
    # Spanish "Pekín" is Beijing; to anyone else "Pekin" is also a town in Illinois.
    assert find_timezone("Pekín", language="es") == ZoneFound("Asia/Shanghai")
    assert find_timezone("Colonia", language="pt_BR") == ZoneFound("Europe/Berlin")
    choices = find_timezone("Pekín")
    assert isinstance(choices, ZoneChoices)
    assert [place.zone for place in choices.places] == ["Asia/Shanghai", "America/Chicago"]


# Red flags by language, their plain negations, and harmless sentences around them.
SYMPTOMS = {
    "en": (["numbness in my groin", "tingling between my legs"], ["no", "I don't have any"]),
    "es": (["entumecimiento en la entrepierna", "hormigueo en las nalgas"], ["sin", "no tengo"]),
    "pt": (["dormência na virilha", "formigamento nas nádegas"], ["sem", "não tenho"]),
    "ru": (["онемения в паху", "покалывания в промежности"], ["нет", "у меня нет"]),
    "uk": (["оніміння в паху", "поколювання в промежині"], ["немає", "у мене немає"]),
    "de": (["Taubheit im Schritt", "Kribbeln im Gesäß"], ["keine", "ich habe keine"]),
    "id": (["mati rasa di selangkangan", "kesemutan di bokong"], ["tidak ada", "tanpa"]),
}
HARMLESS = {
    "en": ["my back is better", "I walked today", "it hurts a bit"],
    "es": ["hoy caminé", "me duele un poco la espalda", "todo bien"],
    "pt": ["hoje caminhei", "minhas costas estão melhores", "tudo bem"],
    "ru": ["сегодня гулял", "спина болит меньше", "всё хорошо"],
    "uk": ["сьогодні гуляв", "спина болить менше", "все добре"],
    "de": ["heute bin ich gelaufen", "der Rücken ist besser", "alles gut"],
    "id": ["hari ini jalan kaki", "punggung lebih baik", "semua baik"],
}


@st.composite
def _told(draw, negated: bool) -> str:
    language = draw(st.sampled_from(sorted(SYMPTOMS)))
    symptoms, negations = SYMPTOMS[language]
    symptom = draw(st.sampled_from(symptoms))
    said = f"{draw(st.sampled_from(negations))} {symptom}" if negated else symptom
    harmless = st.lists(st.sampled_from(HARMLESS[language]), max_size=3)
    separator = draw(st.sampled_from([". ", "! ", "\n", "; "]))
    return separator.join([*draw(harmless), said, *draw(harmless)])


@given(_told(negated=False))
def test_a_red_flag_among_harmless_sentences_is_found_in_every_language(text: str) -> None:
    finding = detect_red_flags(text)
    assert finding is not None and RedFlag.SADDLE_NUMBNESS in finding.reasons


@given(_told(negated=True))
def test_a_plainly_negated_red_flag_is_never_found(text: str) -> None:
    assert detect_red_flags(text) is None


HURT_WORDS = ["me duele", "dói", "болит", "болить", "tut weh", "sakit", "hurts", "dolor"]


@given(st.sampled_from(HURT_WORDS), st.integers(0, 10), st.sampled_from(["{w} {n}", "{n} {w}",
       "{w}, {n}/10", "{w} {n} de 10", "{w} {n} из 10"]))  # fmt: skip
def test_a_hurt_word_with_one_score_is_that_score_in_every_language(
    word: str, score: int, form: str
) -> None:
    found = parse_answer(form.format(w=word, n=score))
    assert found is not None and (found.reply, found.pain) == (Reply.HURTS, score)


@given(st.text(max_size=60))
def test_a_pain_score_is_always_0_to_10(text: str) -> None:
    score = parse_pain(text)
    assert score is None or 0 <= score <= 10


@given(st.sampled_from(HURT_WORDS), st.integers(-100, 1000))
def test_a_pain_score_beside_a_hurt_word_is_always_0_to_10(word: str, number: int) -> None:
    score = parse_pain(f"{word} {number}")
    assert score == (number if 0 <= number <= 10 else None)


GERMAN_HOURS = ["eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
                "elf", "zwölf"]  # fmt: skip


@given(st.integers(2, 12))
def test_german_halb_is_half_an_hour_before(hour: int) -> None:
    expected = read_time_of_day(f"half past {hour - 1}")
    assert read_time_of_day(f"halb {GERMAN_HOURS[hour - 1]}") == expected
    assert read_time_of_day(f"halb {hour}") == expected


@given(st.integers(1, 11), st.sampled_from(["в {h} утра", "jam {h} pagi", "um {h} Uhr morgens",
       "a las {h} de la mañana", "às {h} da manhã", "о {h} ранку"]))  # fmt: skip
def test_a_morning_hour_is_that_hour_in_every_language(hour: int, form: str) -> None:
    assert read_time_of_day(form.format(h=hour)) == time(hour, 0)


@given(st.integers(1, 11), st.sampled_from(["в {h} вечера", "jam {h} sore", "um {h} Uhr abends",
       "a las {h} de la tarde", "às {h} da tarde", "о {h} вечора"]))  # fmt: skip
def test_an_evening_hour_is_that_hour_after_noon_in_every_language(hour: int, form: str) -> None:
    assert read_time_of_day(form.format(h=hour)) == time(hour + 12, 0)


# Everyday messages, with words red flags are made of, that must not raise one.
EVERYDAY = {
    "es": [
        "me duele la espalda por la noche cuando me giro",
        "hace un año tengo hormigueo en el pie",
        "las piernas cansadas después de caminar",
        "no puedo hacer el puente",
        "me gustó el ejercicio",
        "perdí peso haciendo dieta",
        "sin dolor hoy",
    ],
    "pt": [
        "minhas costas doem um pouco",
        "as pernas estão cansadas",
        "não consigo fazer a ponte",
        "gostei do exercício",
        "fiz tudo sem dor",
        "sem formigamento hoje",
    ],
    "ru": [
        "ноги устали после прогулки",
        "спина болит меньше",
        "не могу сделать мостик",
        "мне понравилось упражнение",
        "нет онемения",
        "похудела на диете",
    ],
    "uk": [
        "ноги втомилися після прогулянки",
        "спина болить менше",
        "не можу зробити місток",
        "мені сподобалась вправа",
        "немає оніміння",
    ],
    "de": [
        "die Beine sind müde vom Laufen",
        "der Rücken tut ein bisschen weh",
        "die Übungen haben mir gefallen, die Dehnung war gut",
        "ich kann die Brücke nicht",
        "keine Taubheit",
    ],
    "id": [
        "kaki pegal setelah jalan",
        "punggung sakit sedikit",
        "saya tidak bisa melakukan jembatan",
        "saya suka latihan ini",
        "tidak ada mati rasa",
    ],
}
_EVERYDAY_TEXTS = st.sampled_from(sorted(EVERYDAY)).flatmap(
    lambda language: st.lists(st.sampled_from(EVERYDAY[language]), min_size=1, max_size=4)
)


@given(_EVERYDAY_TEXTS)
def test_everyday_messages_raise_no_red_flag_in_any_language(sentences: list[str]) -> None:
    assert detect_red_flags(". ".join(sentences)) is None
