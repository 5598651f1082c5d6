"""Red-flag patterns and negation words in the shipped languages beyond English.

Data only; bot.domain.safety folds, expands and compiles it once, and matches every language
at once, whatever the person's setting. Patterns are written for safety's normalised text
(lower case, no accents or apostrophes, words separated by single spaces) but may be written
with their accents and "й"/"ё": they are folded the same way. Two shorthands:

- "~N~" between two fragments: up to N words in between (never a negation right before the
  second fragment, so "пах не онемел" is no numbness), then a space;
- near(a, b, n): the two fragments in either order, up to n words apart.

Only lower-case regex escapes (\\w, \\s, \\b, \\d): the source is case-folded.
"""

from __future__ import annotations


def near(first: str, second: str, gap: int) -> str:
    """Pattern: `first` and `second` in either order with at most `gap` words between."""
    return rf"\b(?:{first})~{gap}~(?:{second})\b|\b(?:{second})~{gap}~(?:{first})\b"


# --- Spanish -------------------------------------------------------------------------------
_FEEL_ES = r"entumecimiento|hormigueo|adormecimiento|dolor|molestias?|nada raro"
_NUMB_ES = (
    r"entumecid[oa]s?|entumecimiento|entumece|adormecid[oa]s?|adormecimiento|adormece|"
    r"dormid[oa]s?|hormigueo|hormiguea|cosquilleo|insensibl\w*|sin sensibilidad|"
    r"(?:perdida|falta|perdi|pierdo) (?:de )?(?:la )?sensibilidad|anestesia|"
    r"no (?:la |lo |las |los |me )?(?:siento|noto|puedo sentir)"
    rf"(?! (?:ningun |nada de )?(?:{_FEEL_ES}))"
)
# "ano" is left out: folded, "año" (year) is spelled the same.
_SADDLE_ES = (
    r"entrepierna|ingle|ingles|zona (?:genital|intima|del perineo|de la silla(?: de montar)?)|"
    r"genital\w*|perine\w*|nalgas?|gluteos?|trasero|culo|anal|"
    r"(?:cara|parte|zona) interna de (?:los |el |mis |mi )?muslos?|muslos? por dentro|"
    r"entre (?:las|mis) piernas|partes intimas|pene|vagina|vulva|escroto|testiculos?|"
    r"silla de montar"
)
_PEE_ES = r"orinar|hacer pis|mear|miccionar|vaciar la vejiga|hacer del uno"
_HELD_ES = r"orina|pis|vejiga|heces|caca|intestinos?|esfinteres?|esfinter"
_LEG_ES = r"piernas?|rodillas?"

# --- Brazilian Portuguese ------------------------------------------------------------------
_FEEL_PT = r"dormencia|formigamento|dor|incomodo|nada de diferente"
_NUMB_PT = (
    r"dormencia|dormente|dormentes|adormecid[oa]s?|adormecimento|formigamento|formigando|"
    r"formiga|insensivel|insensibilidade|sem sensibilidade|perda de sensibilidade|"
    r"perdi (?:a )?sensibilidade|anestesia|"
    r"nao (?:consigo sentir|sinto|estou sentindo|to sentindo)"
    rf"(?! (?:nenhuma |nenhum )?(?:{_FEEL_PT}))"
)
_SADDLE_PT = (
    r"virilha|regiao (?:genital|intima|do perineo|da sela)|genita\w*|perineo|nadegas?|bunda|"
    r"bumbum|gluteos?|anus|anal|parte interna das? coxas?|entre as pernas|partes intimas|"
    r"penis|vagina|vulva|escroto|testiculos?|em sela"
)
_PEE_PT = r"urinar|fazer xixi|mijar|esvaziar a bexiga|fazer pipi"
_HELD_PT = r"xixi|urina|bexiga|coco|fezes|intestino"
_LEG_PT = r"pernas?|joelhos?"

# --- Russian -------------------------------------------------------------------------------
_FEEL_RU = r"онемени\w*|покалыван\w*|бол\w*|дискомфорт\w*|ничего странного"
_NUMB_RU = (
    r"онемел\w*|онемени\w*|немеет|немеют|онемевш\w*|занемел\w*|покалыван\w*|мурашки|"
    r"потерял\w* чувствительност\w*|потеря чувствительности|нет чувствительности|"
    r"не чувствительн\w*|бесчувствен\w*|одеревенел\w*|"
    rf"не (?:чувствую|ощущаю)(?! (?:никакого |никакой |никаких )?(?:{_FEEL_RU}))"
)
_SADDLE_RU = (
    r"пах|паха|паху|пахом|паховой|паховая|паховую|промежност\w*|ягодиц\w*|попа|попе|попу|"
    r"попой|задниц\w*|анус\w*|заднего прохода|половы\w* орган\w*|гениталии|гениталиях|"
    r"внутренн\w* (?:сторон\w* |поверхност\w* )?бед\w*|между ног|седл\w*|седловидн\w*"
)
_PEE_RU = (
    r"помочиться|пописать|мочиться|сходить в туалет|сходить по маленькому|"
    r"опорожнить мочевой пузырь"
)
_HELD_RU = r"мочу|мочеиспускани\w*|стул|кал|кишечник|мочевой пузырь|газы"
_LEG_RU = r"ног(?:а|и|у|е|ами|ах|ам)?"

# --- Ukrainian -----------------------------------------------------------------------------
_FEEL_UK = r"онімін\w*|поколюван\w*|бол\w*|біль|дискомфорт\w*|нічого дивного"
_NUMB_UK = (
    r"оніміл\w*|оніміння|німіє|німіють|занімі\w*|поколюван\w*|мурашки|"
    r"втрат\w* чутливост\w*|немає чутливості|нечутлив\w*|задерев\w*|"
    rf"не (?:відчуваю|чую)(?! (?:жодного |ніякого |жодних )?(?:{_FEEL_UK}))"
)
_SADDLE_UK = (
    r"пах|паху|пахова|паховій|промежин\w*|сідниц\w*|дупа|дупі|дупу|попа|попі|анус\w*|"
    r"статев\w* орган\w*|геніталі\w*|внутрішн\w* (?:бік\w* |поверхн\w* )?стег(?:он|н)\w*|"
    r"між ніг|сідл\w*"
)
_PEE_UK = r"помочитися|пописяти|пописати|мочитися|сходити в туалет|сходити по маленькому"
_HELD_UK = r"сечу|сечовипускання|стілець|кал|кишечник|сечовий міхур"
_LEG_UK = r"ноги|нога|ногу|нозі|ногах|ніг|ногами"

# --- German --------------------------------------------------------------------------------
_NUMB_DE = (
    r"taub|taube|taubes|tauber|taubheit\w*|gefuhllos\w*|kribbeln|kribbelt|ameisenlaufen|"
    r"eingeschlafen|kein gefuhl|keinerlei gefuhl|gefuhlsverlust|gefuhlsstorung\w*|"
    r"empfindungsstorung\w*|spure nichts|fuhle nichts|ohne gefuhl"
)
# "After" is left out: it is also an English word.
_SADDLE_DE = (
    r"schritt|schrittbereich|intimbereich|genital\w*|damm|dammbereich|gesass|po|popo|hintern|"
    r"anus|anal\w*|(?:innenseite|innenseiten) (?:der |meiner |beider )?oberschenkel|"
    r"oberschenkelinnenseite\w*|zwischen (?:den|meinen) beinen|reithose\w*|penis|scheide|"
    r"vagina|hoden|schamgegend|schambereich|leiste|leisten\w*"
)
_PEE_DE = r"pinkeln|urinieren|wasser lassen|wasserlassen|pissen|aufs klo|auf die toilette"
_HELD_DE = r"urin|wasser|harn|stuhl|stuhlgang|blase|darm"
_LEG_DE = r"bein|beine|beinen|knie"

# --- Indonesian ----------------------------------------------------------------------------
_NOT_ID = r"tidak|tak|gak|ga|nggak|ngga|enggak|tdk|gk|belum"
_NUMB_ID = (
    r"mati rasa|kebas|kesemutan|semutan|baal|hilang rasa|kehilangan rasa|"
    rf"(?:{_NOT_ID}) (?:terasa|ada rasa)|"
    rf"(?:{_NOT_ID}) (?:bisa )?(?:merasakan|ngerasain)"
    r"(?! (?:ada )?(?:sakit|nyeri|kebas|kesemutan|mati rasa|apa apa))"
)
_SADDLE_ID = (
    r"selangkangan|pangkal paha|kemaluan|alat kelamin|kelamin|bokong|pantat|anus|dubur|"
    r"perineum|paha (?:bagian )?dalam|antara kaki|area sadel|sadel|penis|vagina|testis|"
    r"buah zakar"
)
_PEE_ID = r"kencing|pipis|buang air kecil|bak|berkemih"
_HELD_ID = r"kencing|pipis|buang air kecil|bak|buang air besar|bab|berak|kotoran|air seni"

SADDLE_NUMBNESS = (
    near(_NUMB_ES, _SADDLE_ES, 5),
    near(_NUMB_PT, _SADDLE_PT, 5),
    near(_NUMB_RU, _SADDLE_RU, 5),
    near(_NUMB_UK, _SADDLE_UK, 5),
    near(_NUMB_DE, _SADDLE_DE, 5),
    rf"\b(?:spure|fuhle|merke)~3~(?:{_SADDLE_DE}) (?:gar )?nicht\b|\breithosen\w*",
    near(_NUMB_ID, _SADDLE_ID, 5),
)

BLADDER_BOWEL = (
    # Spanish
    r"\bincontinencia\w*",
    r"\b(?:no puedo|no consigo|no logro|no soy capaz de|me cuesta|incapaz de|"
    r"problemas? (?:para|al)|dificultad(?:es)? (?:para|al))~1~"
    rf"(?:{_PEE_ES}|ir al bano)\b",
    r"\bno (?:puedo |consigo |logro )?(?:controlar|aguantar|retener|contener|sostener)~2~"
    rf"(?:{_HELD_ES})\b",
    rf"\b(?:perdida|perdi|pierdo|falta|sin) (?:de |el |del )?control~2~(?:{_HELD_ES})\b",
    r"\bme (?:hice|hago|he hecho|orine|orino|meo|mee|cague|cago|hice caca)(?: pis| caca)? "
    r"encima\b|\bse me (?:escapa|escapo|sale|salio) (?:la |el )?(?:orina|pis|caca)\b|"
    r"\b(?:escapes?|perdidas?|fugas?) de orina\b|\bretencion (?:de orina|urinaria)\b|"
    r"\bmojo la cama\b|\bmoje la cama\b",
    # Portuguese
    r"\bincontinencia\w*",
    r"\b(?:nao consigo|nao to conseguindo|nao estou conseguindo|sem conseguir|"
    r"dificuldade (?:para|pra|de|em)|problemas? (?:para|pra|de|em|com))~1~"
    rf"(?:{_PEE_PT}|ir ao banheiro)\b",
    r"\bnao (?:consigo |to conseguindo |estou conseguindo )?(?:segurar|controlar|reter)~2~"
    rf"(?:{_HELD_PT})\b",
    rf"\bperd\w* (?:o |do )?controle~2~(?:{_HELD_PT})\b",
    r"\b(?:fiz|faco|fazendo) (?:xixi|coco) na (?:roupa|cama|calca)\b|\bme (?:mijei|caguei)\b|"
    r"\bmolhei a (?:roupa|cama|calca)\b|\b(?:escapa|escapou|vazando|vaza) (?:o )?xixi\b|"
    r"\b(?:vazamento|perda|escape) de urina\b|\bretencao (?:urinaria|de urina)\b",
    # Russian
    r"\bнедержани\w*",
    r"\b(?:не могу|не получается|не смог\w*|не в состоянии|трудно|тяжело|сложно|"
    rf"проблем\w* с тем чтобы|с трудом могу)~2~(?:{_PEE_RU})\b",
    r"\b(?:не могу|не получается|не|не в состоянии) (?:удержать|удерживать|удерживаю|"
    rf"держать|держу|контролировать|контролирую)~2~(?:{_HELD_RU})\b",
    r"\b(?:моча|стул|кал)~1~не (?:держится|удерживается)\b|"
    r"\b(?:обмочил\w*|описал(?:ся|ась|ись)|обкакал\w*|обделал\w*)\b|"
    r"\bподтека\w* моч\w*|\bмоча подтекает\b|\bзадержк\w* мочи\b|"
    r"\bпотерял\w* контрол\w*~2~(?:мочев\w*|кишечник\w*|мочеиспускани\w*|стул\w*)\b|"
    r"\bпроблем\w* (?:с|со) (?:мочеиспусканием|мочевым пузырем|кишечником|туалетом|стулом)\b",
    # Ukrainian
    r"\bнетриманн\w*",
    r"\b(?:не можу|не виходить|не вдається|не зміг\w*|важко|складно|з трудом)~2~"
    rf"(?:{_PEE_UK})\b",
    r"\b(?:не можу|не вдається|не) (?:утримати|утримувати|утримую|тримати|тримаю|"
    rf"контролювати|контролюю)~2~(?:{_HELD_UK})\b",
    r"\b(?:обмочи\w*|обпісял\w*|описав(?:ся)?|описалас\w*|обкакал\w*)\b|"
    r"\bпідтіка\w* сеч\w*|\bсеча підтікає\b|\bзатримк\w* сечі\b|"
    r"\bвтрат\w* контрол\w*~2~(?:сечов\w*|кишечник\w*|сечовипускання\w*)\b|"
    r"\bпроблем\w* (?:з|із) (?:сечовипусканням|сечовим міхуром|кишечником|туалетом)\b",
    # German
    r"\binkontinen\w*",
    rf"\b(?:kann|konnte|kannst)~2~(?:nicht|kaum) (?:mehr )?(?:richtig )?(?:{_PEE_DE})\b",
    rf"\b(?:kann|konnte)~2~(?:{_HELD_DE})~1~(?:nicht|kaum) (?:mehr )?(?:halten|kontrollieren)\b",
    rf"\bkontrolle uber~2~(?:{_HELD_DE}|wasserlassen)~2~verloren\b|"
    rf"\b(?:verlust|verliere) (?:der )?kontrolle uber~2~(?:{_HELD_DE})\b",
    r"\b(?:probleme|schwierigkeiten|muhe) (?:beim|mit dem) "
    r"(?:wasserlassen|pinkeln|urinieren|stuhlgang)\b|\bin die hose (?:gemacht|gepinkelt)\b|"
    r"\beingenasst\b|\bharnverhalt\w*|\b(?:urin|harn)verlust\b|\bblasenentleerungsstorung\w*",
    # Indonesian
    r"\b(?:inkontinensia|mengompol|ngompol|ompol)\b",
    rf"\b(?:{_NOT_ID}) (?:bisa |dapat |mampu |sanggup )?(?:{_PEE_ID})\b",
    rf"\b(?:{_NOT_ID}) (?:bisa |dapat |mampu |sanggup )?(?:menahan|nahan|tahan|mengontrol|"
    rf"mengendalikan|kontrol)~1~(?:{_HELD_ID})\b",
    rf"\b(?:susah|sulit|kesulitan|masalah|gangguan)~1~(?:{_PEE_ID})\b",
    r"\b(?:kencing|pipis|bab) (?:keluar sendiri|tidak terkontrol|tak terkontrol|"
    r"gak terkontrol|ga terkontrol)\b|"
    rf"\b(?:kehilangan|hilang) kontrol~1~(?:kandung kemih|{_HELD_ID}|usus|buang air)\b|"
    r"\bretensi urin\b",
)

LEG_WEAKNESS = (
    # Spanish
    rf"\b(?:{_LEG_ES})~2~(?:fallan|falla|fallaron|fallo|ceden|cede|cedieron|flaquean|"
    r"se doblan|se dobla|no me sostienen|no me sostiene|no me aguantan|no me responden)\b",
    r"\bno (?:siento|puedo sentir|noto) (?:las |mis |la |el |los |mi )?(?:piernas?|pies?)\b",
    r"\bdebilidad (?:en )?(?:las |la |mis |mi )?piernas?~3~(?:empeora|aumenta|va a peor|"
    r"cada vez mas|peor|progresa)\b|\bpiernas?~3~cada vez mas debiles?\b|"
    r"\b(?:debilidad|perdida de fuerza) (?:progresiva|creciente|que empeora|que aumenta)"
    r"~3~piernas?\b|\bpie caido\b|\barrastr\w* (?:el|un) pie\b|"
    r"\bno puedo levantar (?:el |la )?(?:pie|punta del pie)\b",
    # Portuguese
    rf"\b(?:{_LEG_PT})~2~(?:falham|falhou|falhando|falha|cedem|cedeu|cedendo|bambeiam|"
    r"dobram|dobrou|nao me seguram|nao aguentam)\b",
    r"\bnao (?:sinto|consigo sentir) (?:as |minhas |a |minha |os |meus |o |meu )?"
    r"(?:pernas?|pes?)\b",
    r"\bfraqueza (?:nas? )?(?:minhas? )?pernas?~3~(?:piora|piorando|aumentando|aumenta|"
    r"cada vez (?:pior|maior))\b|\bpernas?~3~cada vez mais fracas?\b|\bpe caido\b|"
    r"\barrast\w* o pe\b|\bnao consigo levantar o pe\b",
    # Russian
    rf"\b(?:{_LEG_RU}|колен\w*)~2~(?:подкашиваются|подкосились|подкашивается|подгибаются|"
    r"подогнулись|подгибается|отказывают|отказали|отказывает|отказала|не держат|не держит)\b",
    r"\bне (?:чувствую|ощущаю) (?:сво\w* |обе\w* )?(?:ног|ноги|ногу|ступн\w*|стоп\w*)\b",
    rf"\bслабост\w* в ног\w*~3~(?:усиливается|нарастает|растет|хуже|увеличивается)\b|"
    rf"\b(?:нарастающ|усиливающ|прогрессирующ)\w* слабост\w* (?:в )?ног\w*|"
    rf"\b(?:{_LEG_RU})~2~(?:все |всё )?(?:слабее|слабеют|слабеет)\b|"
    r"\bне могу (?:поднять|приподнять) (?:\w+ )?(?:стопу|ступню|носок)\b|"
    r"\b(?:стопа|ступня)~2~(?:шлепает|свисает|волочится)\b|\b(?:свисающ|отвисающ)\w* стоп\w*",
    # Ukrainian
    rf"\b(?:{_LEG_UK}|колін\w*)~2~(?:підкошуються|підкосилися|підгинаються|підігнулися|"
    r"відмовляють|відмовили|не тримають|не тримає)\b",
    r"\bне (?:відчуваю|чую) (?:сво\w* |обох )?(?:ніг|ноги|ногу|ступн\w*|стоп\w*)\b",
    r"\bслабкіст\w* (?:у|в) ног\w*~3~(?:посилюється|наростає|росте|гірше|збільшується)\b|"
    r"\b(?:наростаюч|посилюван|прогресуюч)\w* слабк\w* (?:у |в )?ног\w*|"
    rf"\b(?:{_LEG_UK})~2~(?:все )?(?:слабшають|слабшає|слабші)\b|"
    r"\bне можу (?:підняти|піднести) (?:\w+ )?(?:стопу|ступню|носок)\b|"
    r"\b(?:стопа|ступня)~2~(?:шльопає|звисає|волочиться)\b",
    # German
    rf"\b(?:{_LEG_DE})~2~(?:knicken|knickt|knickten|knickte|geben|gibt|gaben|gab|sacken|sackt)"
    r" (?:immer wieder |mir |einfach |standig )*(?:weg|nach|ein)\b",
    rf"\b(?:{_LEG_DE})~2~(?:versagen|versagt|versagten|tragen mich nicht)\b",
    r"\b(?:spure|fuhle) (?:meine |mein |die |das )?(?:beine|bein|fusse|fuss) (?:gar )?nicht\b|"
    r"\b(?:kann|konnte) (?:meine |mein |die |das |den )?(?:beine|bein|fusse|fuss) (?:gar )?"
    r"nicht (?:mehr )?(?:spuren|fuhlen|heben|anheben)\b",
    rf"\b(?:schwache|kraftlosigkeit) (?:in |im |der )?(?:den )?(?:{_LEG_DE}|beinen)~3~"
    r"(?:schlimmer|zunehmend|nimmt zu|wird starker|wird schlimmer)\b|"
    r"\b(?:beine|bein)~3~(?:immer )?schwacher\b|\b(?:zunehmende|fortschreitende) "
    r"(?:bein)?schwache\b|\bfussheberschwache\b|\bfallfuss\b",
    # Indonesian
    r"\bkaki~2~(?:tertekuk|ambruk|roboh|lumpuh|tidak kuat menopang|gak kuat menopang)\b",
    r"\bkaki~2~(?:makin|semakin|tambah|bertambah) (?:lemah|lemas|lemes)\b|"
    r"\b(?:kelemahan|lemah) (?:pada |di )?kaki~2~(?:makin|semakin|bertambah) "
    r"(?:parah|buruk|berat)\b|\b(?:tiba tiba|mendadak) kaki~1~(?:lemas|lemah|lumpuh)\b|"
    r"\bkaki~2~(?:tiba tiba|mendadak) (?:lemas|lemah|lumpuh)\b",
    rf"\b(?:{_NOT_ID}) (?:bisa )?(?:merasakan|ngerasain|terasa) (?:kedua )?kaki\b|"
    rf"\bkaki~1~(?:{_NOT_ID}) terasa\b|"
    rf"\b(?:{_NOT_ID}) bisa mengangkat (?:telapak |ujung )?kaki\b|\bkaki~2~(?:terseret|diseret)\b",
)

FEVER = (
    r"\b(?:fiebre|febril|escalofrios|sudores nocturnos|febre|calafrios|suores noturnos|"
    r"жар|лихорад\w*|озноб|гарячк\w*|лихоман\w*|fieber\w*|schuttelfrost|nachtschweiss|"
    r"demam|meriang|menggigil|keringat malam)\b",
    r"\b(?:высок\w*|висок\w*|erhohte|hohe|tinggi) (?:температур\w*|temperatur|suhu)\b|"
    r"\b(?:температур\w*|temperatur|suhu|temperatura|fiebre de|febre de)~2~(?:3[89]|4[0-2])\b",
)

CANCER_HISTORY = (
    r"\b(?:cancer|tumor|tumores|tumou?r\w*|quimio\w*|radioterapia|metastas\w*|leucemia|"
    r"linfoma|mieloma|oncolog\w*|рак|рака|раком|раке|опухол\w*|химиотерап\w*|онколог\w*|"
    r"метастаз\w*|лейкоз\w*|лейкеми\w*|лимфом\w*|миелом\w*|пухлин\w*|хіміотерап\w*|"
    r"лейкемі\w*|лімфом\w*|мієлом\w*|krebs\w*|chemo\w*|bestrahlung\w*|strahlentherapie|"
    r"metastase\w*|leukamie|lymphom\w*|myelom\w*|onkolog\w*|kanker|kemo\w*|kemoterapi|"
    r"radioterapi|metastasis|leukemia|limfoma)\b",
)

SERIOUS_FALL = (
    r"\b(?:me cai|me he caido|me caigo|tuve una caida|sufri una caida|me resbale|"
    r"accidente de (?:coche|auto|trafico|moto|carro)|me atropell\w*)\b",
    r"\b(?:eu cai|cai (?:da|do|de|na|no|em) \w+|levei um tombo|tive uma queda|sofri uma queda|"
    r"escorreguei|acidente de (?:carro|moto|transito)|fui atropelad\w*)\b",
    r"\b(?:упал|упала|упали|грохнул\w*|поскользнул\w*|падени\w*|дтп|авари\w*|"
    r"сбила машина|сбил\w* машин\w*)\b",
    r"\b(?:впав|впала|впали|упав|падіння|послизнул\w*|дтп|авари\w*|збила машина)\b",
    r"\b(?:gesturzt|hingefallen|hingesturzt|sturz|ausgerutscht|unfall|autounfall|"
    r"verkehrsunfall|angefahren)\b|\bgefallen (?:auf|von)\b",
    r"\b(?:terjatuh|terpeleset|kepeleset|tergelincir|kecelakaan|ditabrak|tabrakan)\b|"
    r"\bjatuh\b(?! (?:cinta|tempo|sakit|hati|tertidur))",
)

OSTEOPOROSIS = (r"\b(?:osteopor\w*|остеопор\w*)",)

WEIGHT_LOSS = (
    r"\bperdida de peso~1~(?:inexplicable|sin explicacion|sin motivo|sin razon)\b|"
    r"\b(?:he perdido|perdi|bajado|baje)~2~(?:kilos|kg|peso) sin (?:querer|motivo|razon|"
    r"hacer dieta|dieta)\b|\badelgac\w* sin (?:querer|motivo|razon)\b",
    r"\bperda de peso~1~(?:inexplicavel|sem explicacao|sem motivo)\b|"
    r"\b(?:perdi|emagreci)~2~(?:quilos|kg|peso)? ?sem (?:querer|motivo|razao|fazer dieta)\b",
    r"\b(?:похудел\w*|сбросил\w*|потерял\w*)~2~(?:кг |килограмм\w* |вес\w* )?без (?:причины|диеты|"
    r"видимой причины)\b|\b(?:необъяснимая|беспричинная|резкая) потеря веса\b",
    r"\b(?:схуд\w*|скинув\w*|втратив\w*|втратила)~2~(?:кг |кілограм\w* |ваги )?без (?:причини|"
    r"дієти)\b|\b(?:незрозуміла|безпричинна|різка) втрата ваги\b",
    r"\b(?:ungewollt|unerklarlich|ohne grund)~2~(?:abgenommen|gewichtsverlust)\b|"
    r"\bgewichtsverlust~2~(?:ungewollt|unerklarlich|ohne grund)\b",
    r"\bberat badan~1~(?:turun|menurun|berkurang) (?:tanpa sebab|drastis|tanpa alasan|"
    r"sendiri)\b|\bturun berat badan (?:tanpa sebab|drastis)\b",
)

NIGHT_PAIN = (
    r"\b(?:dolor nocturno|dolores nocturnos|dor noturna|dores noturnas|ночн\w* бол\w*|"
    r"нічн\w* біл\w*|nachtschmerz\w*|nachtliche schmerzen|nyeri malam hari|sakit malam hari)\b",
    r"\b(?:dolor|duele|dor|doi|бол\w*|біль|schmerz\w*|tut weh|nyeri|sakit)~3~"
    r"(?:incluso|aun|mesmo|ate|даже|навіть|auch|sogar|bahkan)~1~(?:en reposo|em repouso|"
    r"descansando|в покое|лежа|у спокої|лежачи|in ruhe|im liegen|saat istirahat|waktu istirahat)\b",
    r"\b(?:me despierta|me acorda|будит|будить|прокидаюсь від|weckt mich|membangunkan)~3~"
    r"(?:por la noche|a noite|ночью|вночі|nachts|malam)\b",
)

# Negation: a red flag said not to be there ("no numbness", "нет онемения", "keine Taubheit").
# A word that denies what directly follows it, with only these words between. Not English
# "without": "I can't walk without numbness in my groin" has it.
DENY = (
    r"no|none|sin|ningun|ninguna|nada de|sem|nenhum|nenhuma|нет|нету|без|"
    r"никакого|никакой|никаких|немає|нема|жодного|жодної|жодних|ніякого|ніяких|kein|keine|"
    r"keinen|keiner|keinerlei|ohne|tanpa|tiada|bukan"
)
DENY_FILLERS = (
    r"any|real|more|new|further|signs?|of|symptoms?|such|other|mas|nuevos?|nuevas?|otros?|"
    r"mais|novos?|novas?|outros?|больше|более|других|новых|більше|нових|інших|weitere|mehr|"
    r"neue|andere|lagi|ada|baru|ни|ні|loss|problems?|issues?|trouble|difficulty|changes?|"
    r"with|in|problemas?|dificultad|problema|dificuldade|проблем|проблемы|проблем|probleme|"
    r"beschwerden|masalah|gangguan"
)
# A verb's negation, with only these words between it and the red flag.
NOT = (
    r"not|never|dont|doesnt|didnt|havent|hasnt|hadnt|isnt|arent|wasnt|werent|nor|neither|"
    r"cant|cannot|couldnt|can not|could not|"
    r"do not|does not|did not|have not|has not|had not|no|nunca|jamas|tampoco|nao|jamais|nem|"
    r"не|никогда|ніколи|nicht|nie|niemals|noch nie|tidak|tdk|tak|gak|ga|nggak|ngga|enggak|gk|"
    r"belum"
)
NOT_FILLERS = (
    r"have|had|has|having|get|got|getting|feel|felt|feeling|notice|noticed|noticing|"
    r"experience|experienced|really|actually|even|any|a|an|the|some|more|been|be|am|is|are|"
    r"was|were|ever|tengo|tiene|tienes|tenia|tuve|he|ha|tenido|hay|habia|siento|senti|noto|"
    r"note|sentido|notado|presento|me|ningun|ninguna|nada|de|ya|la|el|los|las|tenho|tem|tive|"
    r"tinha|sinto|noto|notei|estou|esta|to|ta|com|nenhum|nenhuma|nada|sentindo|tendo|a|o|os|"
    r"as|у|меня|было|есть|чувствую|ощущаю|замечаю|заметил|заметила|испытываю|никакого|"
    r"никакой|никаких|больше|уже|мене|є|відчуваю|помічаю|помітив|помітила|маю|жодного|"
    r"жодних|вже|habe|hab|hatte|ich|bemerke|spure|fuhle|merke|mehr|irgendwelche|eine|einen|"
    r"ein|es|gibt|gab|da|bin|ist|hat|ada|merasa|merasakan|terasa|punya|mengalami|pernah|"
    r"lagi|ngerasain|ngalamin|kena|juga|sama|sekali"
)
# Words that end a clause's negation ("no fever but my groin is numb").
CLAUSE_BREAKS = (
    "but however although though except yet pero aunque sino excepto salvo mas porem embora "
    "exceto но однако зато хотя кроме а але проте однак хоча крім aber jedoch sondern doch "
    "ausser obwohl tapi tetapi namun kecuali walaupun meskipun padahal"
)
# After the red flag, words that say it is there after all ("no numbness until today").
CHANGED = (
    r"until|till|before|since|suddenly|hasta|desde|de repente|ate|agora sim|"
    r"до|пока|вдруг|внезапно|поки|раптом|bis|seit|plotzlich|sampai|hingga|sejak|tiba tiba|"
    r"mendadak"
)
# A negation right before a pattern's second part: "my groin is not numb", "пах не онемел".
NOT_BEFORE = (
    "not no never dont doesnt didnt isnt arent wasnt werent wont nao nunca не нет ні nicht nie "
    "kein keine tidak tak gak ga nggak enggak tdk belum bukan",
    "no esta|no estan|no se|nao esta|nao estao|nao ta|nao ficou",
)
