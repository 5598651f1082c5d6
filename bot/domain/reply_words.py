"""The words people type for done, hurts, skip and stop, in every shipped language.

Data only; bot.domain.replies reads it. Every table holds all languages at once: someone
whose setting is English may still type "готово", and no word here means one answer in one
language and another answer in another. Entries are written as people type them (accents
optional: the tables are folded like the text, see bot.domain.folding).
"""

from __future__ import annotations

# Whole-message answers, by answer and language.
DONE = {
    "en": "done|did it|i did it|finished|ok|okay|yes|yep|good|fine|completed|all done|no pain|"
    "it didnt hurt|didnt hurt|doesnt hurt",
    "es": "hecho|echo|ya|ya está|ya lo hice|lo hice|listo|lista|listo ya|terminé|terminado|"
    "terminada|completado|completo|hice|sí|si|vale|bien|bueno|dale|perfecto|todo bien|"
    "hecho ya|ya terminé|sin dolor|no duele|no me duele|no me dolió",
    "pt": "feito|feita|pronto|pronta|fiz|já fiz|ja fiz|terminei|terminado|concluído|completo|"
    "sim|beleza|blz|bom|certo|já|consegui|tudo certo|foi|tranquilo|sem dor|não dói|não doeu",
    "ru": "готово|готов|готова|сделал|сделала|сделали|сделано|сделал всё|всё сделал|"
    "всё сделала|выполнил|выполнила|выполнено|да|ок|окей|хорошо|норм|нормально|закончил|"
    "закончила|всё|есть|не больно|не болит|без боли|ничего не болит",
    "uk": "готово|зроблено|зробив|зробила|зробили|виконано|виконав|виконала|так|ок|добре|"
    "нормально|закінчив|закінчила|все|усе|все зробив|все зробила|не боляче|не болить|без болю",
    "de": "fertig|erledigt|gemacht|geschafft|habs gemacht|hab es gemacht|bin fertig|"
    "alles erledigt|ja|gut|passt|okay|tut nicht weh|ohne schmerzen|keine schmerzen",
    "id": "selesai|sudah|udah|sdh|dah|beres|sudah selesai|udah selesai|ya|iya|oke|baik|bagus|"
    "siap|tidak sakit|gak sakit|ga sakit|nggak sakit|tanpa sakit",
}
HURTS = {
    "en": "hurts|it hurts|hurt|ouch|ow|pain|painful|sore|that hurt|it hurt|too painful",
    "es": "duele|me duele|me duele mucho|duele mucho|dolió|me dolió|dolor|ay|auch|molesta|"
    "me molesta|molestia|dolía|me dolía",
    "pt": "dói|dói muito|doeu|doeu muito|dor|ai|ui|está doendo|tá doendo|ta doendo|doendo|"
    "machucou|incomoda|incomodou",
    "ru": "болит|больно|очень больно|было больно|боль|болело|ай|ой|ноет|болит сильно",
    "uk": "болить|боляче|дуже боляче|було боляче|біль|боліло|ой|ай|ниє",
    "de": "tut weh|es tut weh|tat weh|weh|schmerzt|schmerz|schmerzen|aua|au|autsch|"
    "schmerzhaft|hat weh getan",
    "id": "sakit|sakit sekali|sakit banget|sakit bgt|nyeri|aduh|ngilu|pegal|sakit ya",
}
SKIP = {
    "en": "skip|next|skip it|pass|later",
    "es": "saltar|salta|saltear|omitir|siguiente|próximo|próxima|paso|después|luego|más tarde",
    "pt": "pular|pula|pulo|próximo|próxima|passar|passo|depois|mais tarde",
    "ru": "пропустить|пропуск|пропускаю|пропущу|дальше|следующее|следующий|потом|позже|пас",
    "uk": "пропустити|пропускаю|пропущу|далі|наступне|наступна|потім|пізніше|пас",
    "de": "überspringen|ueberspringen|überspringe|auslassen|weiter|nächste|nächstes|später",
    "id": "lewati|lewat|lompat|skip|lanjut|berikutnya|selanjutnya|nanti",
}
STOP = {
    "en": "stop|quit|end|cancel|stop session|enough|/stop",
    "es": "parar|para|detener|basta|ya basta|cancelar|terminar|fin|alto|salir",
    "pt": "parar|para|pare|chega|cancelar|sair|encerrar|fim|basta",
    "ru": "стоп|хватит|стой|остановить|отмена|отменить|закончить|выход|достаточно|прекратить",
    "uk": "стоп|досить|вистачить|зупинити|скасувати|завершити|кінець|вихід",
    "de": "stopp|halt|aufhören|abbrechen|beenden|genug|ende|schluss",
    "id": "berhenti|cukup|batal|batalkan|udahan|sudahi",
}

# A plain yes to the consent question, typed. Only a plain yes: "done" or "👍" there may mean
# something else (a returning person reporting their routine).
CONSENT = {
    "en": "yes|y|yes please|yes, thats ok|i agree|agree",
    "es": "sí|si|sí, acepto|acepto|de acuerdo|estoy de acuerdo|sí, de acuerdo",
    "pt": "sim|aceito|concordo|sim, aceito|sim, concordo|de acordo",
    "ru": "да|согласен|согласна|я согласен|я согласна|да, согласен|да, согласна|принимаю",
    "uk": "так|згоден|згодна|я згоден|я згодна|так, згоден|так, згодна|погоджуюсь",
    "de": "ja|einverstanden|ja, einverstanden|ich stimme zu|zustimmen|ja bitte",
    "id": "ya|iya|setuju|saya setuju|ya, setuju|ya, saya setuju",
}
# How much of today's routine was done, typed at "All of it, without pain?".
ALL_OF_IT = {
    "en": "all|all of it|yes all|yes, all of it|everything",
    "es": "todo|todos|sí, todo|todo completo|completo|lo hice todo",
    "pt": "tudo|todos|sim, tudo|completo|fiz tudo",
    "ru": "всё|все|да, всё|всё целиком|полностью|всё сделал|всё сделала",
    "uk": "все|усе|так, все|повністю|все зробив|все зробила",
    "de": "alles|ja, alles|komplett|vollständig|alles gemacht",
    "id": "semua|semuanya|ya, semua|seluruhnya|lengkap|semua selesai",
}
SOME_OF_IT = {
    "en": "some|some of it|part|partly|half|not all",
    "es": "algo|una parte|parte|parcialmente|la mitad|no todo|un poco",
    "pt": "um pouco|uma parte|parte|parcialmente|metade|nem tudo|não tudo",
    "ru": "часть|частично|половину|половина|не всё|немного",
    "uk": "частину|частково|половину|не все|трохи",
    "de": "teilweise|einen teil|ein teil|etwas|die hälfte|halb|nicht alles",
    "id": "sebagian|setengah|separuh|tidak semua|sedikit",
}

# Words that say something hurt, inside a longer message ("me duele 6", "болит 7").
HURT_WORDS = {
    "en": r"hurts?|hurting|hurted|ouch|ow+|pain|painful|sore|aches?|aching|achy|twinge",
    "es": r"duele|duelen|dolió|dolía|dolor|dolores|ay+|auch|molesta|molestia",
    "pt": r"dói|doem|doeu|doía|dor|dores|doendo|ai+|ui+",
    "ru": r"болит|болят|больно|боль|боли|болью|болело|болела|болели|ноет|ай+|ой+",
    "uk": r"болить|болять|боляче|біль|болю|боліло|болів|ниє|ой+",
    "de": r"weh|schmerz|schmerzt|schmerzen|schmerzhaft|aua|au|autsch",
    "id": r"sakit|nyeri|aduh|ngilu|pegal",
}
# Saying it did not hurt: the hurt word after these is no hurt ("sin dolor", "не болит").
NOT_HURT = {
    "en": r"no|not|without|never|didnt|doesnt|dont",
    "es": r"sin|no|nada de|ningún|ningun",
    "pt": r"sem|não|nenhuma",
    "ru": r"не|без|нет|никакой",
    "uk": r"не|без|немає|нема|жодного",
    "de": r"nicht|kein|keine|keinen|ohne",
    "id": r"tidak|tak|gak|ga|nggak|enggak|tanpa|bukan",
}
# "6 out of 10": the words between the score and the 10.
OUT_OF = r"out of|of|de|von|из|з|із|dari"
# A word for pain right before a bare score ("pain 7", "dolor 7", "боль 7").
PAIN_NOUNS = r"pain|dolor|dor|боль|біль|schmerz|schmerzen|sakit|nyeri"

# Spelled-out scores, counted beside a word for hurting. Words that double as an article or
# "at" ("a", "un", "um", "ein", "один") are left out: "tut ein bisschen weh, 3" is one score.
NUMBER_WORDS = {
    "en": "zero two three four five six seven eight nine ten",
    "es": "cero dos tres cuatro cinco seis siete ocho nueve diez",
    "pt": "zero dois duas três quatro cinco seis sete oito nove dez",
    "ru": "ноль два две три четыре пять шесть семь восемь девять десять",
    "uk": "нуль два дві три чотири пять шість сім вісім девять десять",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn",
    "id": "nol dua tiga empat lima enam tujuh delapan sembilan sepuluh",
}
NUMBER_VALUES = {
    "zero": 0, "cero": 0, "null": 0, "nol": 0, "ноль": 0, "нуль": 0, "eins": 1,
    "two": 2, "dos": 2, "dois": 2, "duas": 2, "два": 2, "две": 2, "дві": 2, "zwei": 2, "dua": 2,
    "three": 3, "tres": 3, "три": 3, "drei": 3, "tiga": 3,
    "four": 4, "cuatro": 4, "quatro": 4, "четыре": 4, "чотири": 4, "vier": 4, "empat": 4,
    "five": 5, "cinco": 5, "пять": 5, "funf": 5, "lima": 5,
    "six": 6, "seis": 6, "шесть": 6, "шість": 6, "sechs": 6, "enam": 6,
    "seven": 7, "siete": 7, "sete": 7, "семь": 7, "сім": 7, "sieben": 7, "tujuh": 7,
    "eight": 8, "ocho": 8, "oito": 8, "восемь": 8, "вісім": 8, "acht": 8, "delapan": 8,
    "nine": 9, "nueve": 9, "nove": 9, "девять": 9, "neun": 9, "sembilan": 9,
    "ten": 10, "diez": 10, "dez": 10, "десять": 10, "zehn": 10, "sepuluh": 10,
}  # fmt: skip

# How a question starts (whole words, folded), beyond a "?" or "¿" at its end or start.
QUESTION_STARTS = {
    "en": "is|are|am|can|could|should|would|what|whats|why|how|when|where|will|do|does|did|"
    "may|which|who",
    "es": "puedo|puede|puedes|podría|debo|debería|es|qué|cuál|cuáles|cómo|cuándo|dónde|"
    "por qué|porqué|cuánto|cuántos|cuánta|quién|será",
    "pt": "posso|pode|podia|poderia|devo|deveria|é|o que|que|qual|quais|como|quando|onde|"
    "por que|porque|quanto|quantos|quem|será",
    "ru": "можно|могу|нужно|надо|стоит|что|почему|зачем|как|когда|где|какой|какая|какие|"
    "сколько|кто|разве|неужели",
    "uk": "можна|можу|треба|варто|що|чому|навіщо|як|коли|де|який|яка|які|скільки|хто",
    "de": "darf|kann|könnte|soll|sollte|muss|ist|sind|gibt|was|warum|wieso|weshalb|wie|wann|"
    "wo|welche|welcher|welches|wer",
    "id": "apakah|apa|bisakah|bolehkah|boleh|bisa|haruskah|perlukah|perlu|kenapa|mengapa|"
    "bagaimana|gimana|kapan|dimana|di mana|berapa|siapa",
}
# How an exclamation starts, though its first word asks ("what a...", "qué bien").
EXCLAMATIONS = {
    "en": "what a|what an|how nice|how lovely|what nice|what lovely",
    "es": "qué bien|qué bueno|qué rico|qué lindo|qué alivio|qué dolor|cómo me",
    "pt": "que bom|que legal|que alívio|que dor|como é",
    "ru": "как хорошо|как же|что за|как приятно",
    "uk": "як добре|як же|що за|як приємно",
    "de": "wie schön|was für|wie gut",
    "id": "apa kabar",
}
# Words anywhere that make a message of three words or more a question: the Russian and
# Ukrainian particles ("можно ли...", "чи можна..."), Indonesian "-kah" words ("bolehkah").
QUESTION_PARTICLES = (
    "ли|чи|apakah|bolehkah|bisakah|haruskah|perlukah|dapatkah|benarkah|normalkah|adakah|"
    "mungkinkah|amankah|bagaimanakah|kapankah|siapakah|berapakah|mengapakah"
)
