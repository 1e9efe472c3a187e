"""Finding the children an Arabic report names. Arabic has no capital letters, so a name is
found only where a cue bounds it: a child noun before it ("الطفل محمد أحمد", "ابنتها
فاطمة", "الرضيع يوسف"), a child's age after it ("محمد (12 عاما)", "فاطمة، 9 سنوات",
"يوسف البالغ من العمر 10 سنوات") or a list after a plural ("الأطفال محمد وأحمد",
"ثلاثة أطفال، هم ..."). A name is one to three words, and stops at punctuation, a digit,
a function word, a common verb, a child noun or a number; its first word never takes the
article (that is an adjective: "الطفل المصاب"). A pupil ("الطالب", "التلميذ") is a child
only with a child's age next to the name; an age of 18 or more rules any name out.

Words are compared without diacritics (tashkeel) and tatweel, and with the spellings of
alef, yeh and teh marbuta folded (`fold`), so that "مُحَمَّد" is "محمد"; names are returned
as written, without diacritics. `letters_pattern` gives the pattern that finds a name
whatever its diacritics and spelling, for `read.redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["ARABIC", "arabic_child_names", "fold", "has_arabic", "letters_pattern", "name_units"]

ARABIC = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"  # letters, without tatweel and marks
MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"  # tashkeel, Quranic marks, tatweel
_MARK = re.compile(f"[{MARKS}]+")
_HAS_ARABIC = re.compile(f"[{ARABIC}]")
# Not yeh and alef maqsura: "علي" (Ali) is not "على" (on).
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ی": "ي", "ة": "ه", "ک": "ك"})
# What each folded letter stands for, for patterns that find every spelling.
_VARIANTS = {"ا": "اأإآٱ", "ي": "يی", "ه": "هة", "ك": "كک"}


def has_arabic(text: str) -> bool:
    return not text.isascii() and _HAS_ARABIC.search(text) is not None  # isascii: most English, at once


def fold(word: str) -> str:
    """`word` without diacritics and tatweel, alef (and teh marbuta, Persian yeh and kaf) in one spelling."""
    return _MARK.sub("", word).translate(_FOLD)


def letters_pattern(word: str) -> str:
    """A pattern for `word` in any of its spellings, with or without diacritics."""
    parts = []
    for c in fold(word):
        variants = _VARIANTS.get(c, c)
        parts.append((f"[{variants}]" if len(variants) > 1 else re.escape(c)) + f"[{MARKS}]*")
    return "".join(parts)


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# Domain words, written without diacritics (they are compared folded). A singular child noun
# with the article directly before a name ("الطفل محمد"), or with a possessive ("ابنه محمد":
# his son; never "ابنة محمد", Mohammed's daughter).
_CHILD_NOUNS = "طفل طفلة رضيع رضيعة صبي صبية فتى فتاة قاصر قاصرة"
_CHILD_OF = "ابن ابنت نجل نجلت طفل طفلت حفيد حفيدت"  # + a possessive suffix
_POSSESSIVE = "ه ها هما هم ي نا"
# A pupil, a brother or a sister: a child only with a child's age next to the name.
_MAYBE_CHILD = "طالب طالبة تلميذ تلميذة"
_SIBLING = "شقيق شقيقت اخ اخت"  # + a possessive suffix
# Plurals and duals that open a list of names.
_CHILD_PLURALS = "أطفال طفلين طفلان طفلتين طفلتان رضيعين تلاميذ أشقاء شقيقين شقيقتين"
_CHILDREN_OF = "أطفال أبناء أبنائ أبناؤ بنات"  # + a possessive suffix
_NAMING = "يدعى تدعى يسمى تسمى اسمه اسمها المدعو المدعوة ويدعى وتدعى واسمه واسمها"
# "حماية الطفل", "إنقاذ الطفل": a body or a cause, not a child; the words after it are no name.
_INSTITUTIONS = "حماية إنقاذ حقوق رعاية صحة وحدة مركز جمعية يوم اتفاقية عيد وزارة مجلس برنامج قانون منظمة صندوق"
_NUMBERS = {
    "واحد": 1, "احد": 1, "احدى": 1, "اثنان": 2, "اثنين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7,
    "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    # ordinals: "ابن العاشرة" (ten years old), "ابنة الثانية عشرة"
    "الاولى": 1, "الثانيه": 2, "الثالثه": 3, "الرابعه": 4, "الخامسه": 5, "السادسه": 6, "السابعه": 7,
    "الثامنه": 8, "التاسعه": 9, "العاشره": 10, "الحاديه": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4,
    "الخامس": 5, "السادس": 6, "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10, "الحادي": 1,
}  # fmt: skip
# Other number words (20 and more): never a name, and an age they give is an adult's.
_BIG_NUMBERS = (
    "عشرين عشرون ثلاثين ثلاثون أربعين أربعون خمسين خمسون ستين ستون سبعين ثمانين تسعين مئة مائة ألف عشرات مئات"
)
# Function words and the words of news reports about children: a name stops before them.
_STOP = """
في من على إلى عن مع بعد قبل عند منذ خلال بين بينهم بينهن منهم منهن لدى حتى نحو ضد دون غير سوى عبر وفق
حسب بحسب جراء إثر بسبب نتيجة داخل خارج أمام وراء فوق تحت الذي التي الذين اللذين اللتين اللواتي اللاتي
أن إن أنه أنها أنهم كان كانت كانوا يكون تكون لم لن قد لقد ما لا هو هي هم هن هما هذا هذه ذلك تلك هناك
أو ثم أي كل بعض كلا أيضا فقط حيث حين عندما بينما إذ إذا لأن كما مثل فيما بما له لها لهم به بها بهم
عليه عليها منه منها يوم أمس اليوم غدا صباح مساء ليلة شهر عام عاما أعوام سنة سنوات سنين العمر
عمره عمرها يبلغ تبلغ البالغ البالغة ذو ذات ذي رقم قرابة حوالي مثلا
قتل قتلت قتلوا استشهد استشهدت اصيب أصيب أصيبت جرح جرحت خطف خطفت اختطف اختطفت اعتقل اعتقلت جند جندت
تجنيد توفي توفيت لقي لقيت نجا نجت أسر أسرت فقد فقدت عثر نقل نقلت قال قالت أكد أكدت أفاد أفادت ذكر
ذكرت أضاف أضافت أعلن أعلنت أوضح أوضحت روى روت تعرض تعرضت يلعب تلعب كانا
ضحية ضحايا شهيد شهيدة جثة جثث جروح بجروح إصابة إصابات رصاص برصاص شظايا بشظايا قذيفة غارة انفجار لغم
خطيرة بليغة طفيفة والد والدة والدته والدها أب عائلة أسرة أهل مدرسة مخيم مدينة قرية بلدة حي منطقة
محافظة مستشفى منزل بيت شارع منظمة
"""
# Adjectives that follow a name with the article: never part of it.
_ADJECTIVES = """
المصاب المصابة الجريح الجريحة القتيل القتيلة الصغير الصغيرة المختطف المختطفة المفقود المفقودة النازح
النازحة الشهيد الشهيدة المجند المجندة اليتيم اليتيمة الآخر الأخرى الأول الثاني المذكور المذكورة
"""
_PARTICLES = frozenset({"عبد", "ابو", "ام", "ابي"})  # "عبد الله", "أبو بكر": one word of a name with the next
_LINKS = frozenset({"بن", "بنت"})  # "محمد بن علي": inside a name, not a word of its own
_BABY_UNITS = "شهرا شهر أشهر شهور أسابيع أسبوعا يوما أيام"
_AGE_UNITS = "عاما عام أعوام سنة سنوات سنين ربيعا " + _BABY_UNITS

_NOT_NAMES = (
    _words(_STOP)
    | _words(_NAMING)
    | _words(_BIG_NUMBERS)
    | frozenset(_NUMBERS)
    | _words(_CHILD_NOUNS)
    | _words(_MAYBE_CHILD)
    | _words(_CHILD_PLURALS)
    | _words(_AGE_UNITS)
    | {fold(w + s) for w in (_CHILD_OF + " " + _SIBLING + " " + _CHILDREN_OF).split() for s in _POSSESSIVE.split()}
)
_NOT_AFTER_ARTICLE = _words(_ADJECTIVES)
_ARTICLE = re.compile("^[وف]?(?:[بك]?ال|لل)")
_CHILD_WORDS = _words(_CHILD_NOUNS) | _words(_MAYBE_CHILD) | _words(_CHILD_PLURALS)
_CONDITIONAL = _words(_MAYBE_CHILD) | {fold(w + s) for w in _SIBLING.split() for s in _POSSESSIVE.split()}
_INSTITUTION_WORDS = _words(_INSTITUTIONS)


def _never_name(folded: str) -> bool:
    """Whether a word (folded) is never a word of a name: a stop word, a child noun, a
    number, one of them after "و" or "ف" ("وأصيب"), or a plural verb ("يلعبون", "قتلوا")."""
    if len(folded) < 2 or folded in _NOT_NAMES:
        return True
    if folded[0] in "وف" and folded[1:] in _NOT_NAMES:
        return True
    article = _ARTICLE.match(folded)
    if article and folded[article.end() :] in _CHILD_WORDS:
        return True  # "الفتاة", "والطفل"
    if len(folded) >= 5 and folded.endswith(("ته", "تها", "هم", "هما")):
        return True  # "بعائلته", "منازلهم": a noun with a possessive
    return (folded[0] in "يت" and folded.endswith("ون")) or (len(folded) > 3 and folded.endswith("وا"))


def _alternation(words: str, suffixes: str = "") -> str:
    stems = "|".join(letters_pattern(w) for w in sorted(words.split(), key=len, reverse=True))
    if not suffixes:
        return f"(?:{stems})"
    return f"(?:{stems})(?:{'|'.join(sorted(suffixes.split(), key=len, reverse=True))})"


_A = f"[{ARABIC}]"
_B, _E = f"(?<!{_A})", f"(?!{_A})"
_PROCLITIC = "(?:[وف]?(?:[بلك]?ال|لل))"  # "الطفل", "والطفل", "للطفل", "بالطفل"
_NUMBER_WORD = f"(?:ال)?{_alternation(' '.join(_NUMBERS) + ' ' + _BIG_NUMBERS)}"
_AGE_NUMBER = rf"(?:\d{{1,3}}|{_NUMBER_WORD}(?:\s+و?{_NUMBER_WORD})?)"
_UNIT = _alternation(_AGE_UNITS)
_BABY_UNIT = re.compile(f"{_B}{_alternation(_BABY_UNITS)}{_E}")
# A child's age right after a name: "(12 عاما)", "، 9 سنوات", "البالغ من العمر 10 سنوات",
# "الذي يبلغ 10 أعوام", "ابن العاشرة", "ابنة الـ12 عاما".
_AGE_AFTER = re.compile(
    rf"\s*(?:[(\[]\s*(?P<a1>{_AGE_NUMBER})\s*{_UNIT}\s*[)\]]"
    rf"|[،,]\s*(?:و?عمر(?:ه|ها)\s+)?(?P<a2>{_AGE_NUMBER})\s*{_UNIT}{_E}"
    rf"|[،,]?\s*{_B}(?:(?:ال)?بالغ[ةه]?|(?:الذي|التي)\s+[يت]بلغ|و?عمر(?:ه|ها))\s+(?:من\s+العمر\s+)?"
    rf"(?P<a3>{_AGE_NUMBER})\s*{_UNIT}{_E}"
    rf"|[،,(\[]?\s*{_B}(?:ابن|ابن[ةه]|بنت)\s+(?:ال\s*)?(?P<a4>{_AGE_NUMBER})(?:\s*{_UNIT})?{_E}(?:\s*[)\]])?)"
)
_RELATIVES = "الذي التي الذين اللذين اللتين اللواتي اللاتي"
_SINGULAR_CUE = re.compile(
    rf"{_B}(?:{_PROCLITIC}(?P<noun>{_alternation(_CHILD_NOUNS + ' ' + _MAYBE_CHILD)}){_E}"
    rf"|[وف]?[بل]?(?P<of>{_alternation(_CHILD_OF + ' ' + _SIBLING, _POSSESSIVE)}){_E}"
    rf"|[وف]?{_alternation('طفل طفلة فتى فتاة')}(?=\s+{_alternation(_NAMING)}{_E}))"
    # "الطفل الفلسطيني علي", "الطفل الرضيع البريء «علي»": adjectives between noun and name
    rf"(?:\s+(?!{_alternation(_RELATIVES)}{_E})(?:ال|لل){_A}+){{0,2}}"
    rf"\s*[،,:]?\s*(?:{_alternation(_NAMING)}\s+)?(?P<quote>[\"“«'])?"
)
_PLURAL_CUE = re.compile(
    rf"{_B}(?:{_PROCLITIC}(?P<the>{_alternation(_CHILD_PLURALS)})"
    rf"|[وف]?(?:{_alternation(_CHILD_PLURALS)}|{_alternation(_CHILDREN_OF, _POSSESSIVE)})){_E}"
    rf"(?:(?P<are>[^.!؟?\n]{{0,60}}?(?:[،,]\s*|\s)و?(?:هم|هما|هن){_E}\s*:?\s*)|\s*(?P<colon>:)\s*|\s*[،,]?\s*)"
)
_WORD_AFTER = re.compile(rf"[ \t]*({_A}+)")
_WORD_BEFORE = re.compile(rf"({_A}+)[ \t]*$")
_LIST_SEP = re.compile(rf"\s*[،,]\s*(?:و\s+)?|\s+و\s+|\s+(?=و{_A})")


def _years(age: str) -> int:
    """An age as `_AGE_NUMBER` captures it: digits, or one or two number words."""
    if age.isdigit():
        return int(age)
    values = []
    for word in fold(age).split():
        word = word.removeprefix("و")
        value = _NUMBERS.get(word, _NUMBERS.get(word.removeprefix("ال")))
        values.append(99 if value is None else value)  # 20 and more
    return sum(values) if len(values) == 2 and values[1] == 10 else max(values)


def _age_after(text: str, at: int) -> tuple[int, int] | None:
    """The age given right after a name ending at `at`, and where it ends; None if none."""
    m = _AGE_AFTER.match(text, at)
    return (_years_of(m), m.end()) if m else None


def _years_of(m: re.Match[str]) -> int:
    """The age an `_AGE_AFTER` match gives, in years: 0 for months, weeks or days."""
    if _BABY_UNIT.search(m.group(0)):
        return 0
    return _years(next(age for age in m.group("a1", "a2", "a3", "a4") if age is not None))


def _name_after(text: str, at: int, *, in_list: bool = False, quoted: bool = False) -> tuple[str, int, int] | None:
    """The name that starts at `at`: one to three words (five in quotes), a particle
    joined to the next ("عبد الله"), a link inside ("بن"); its first word without the
    article; in a list, "و" before its first word is "and". (name, start, end), or None."""
    words: list[tuple[str, int, int]] = []
    units, joined = 0, False
    for m in _words_from(text, at):
        word, start = m.group(1), m.start(1)
        folded = fold(word)
        if not words and in_list and folded[0] == "و" and len(folded) > 3:
            if _never_name(folded[1:]):
                break
            word, folded, start = word[1:], folded[1:], start + 1  # "وأحمد": the next name
        elif words and not joined and (folded[0] == "و" or folded.startswith(("بال", "لل", "كال", "فال"))):
            break  # "الطفل محمد وشقيقه", "... بالرصاص"
        if _never_name(folded):
            break
        if folded.startswith("ال") and not joined and (not words or folded in _NOT_AFTER_ARTICLE):
            break  # "الطفل المصاب": an adjective
        if folded in _LINKS:
            if not words:
                break
        elif not joined:
            if units == (5 if quoted else 3):
                break
            units += 1
            joined = folded in _PARTICLES
        else:
            joined = False
        words.append((word, start, m.end(1)))
    while words and (fold(words[-1][0]) in _LINKS or fold(words[-1][0]) in _PARTICLES):
        words.pop()  # "محمد بن", "أبو": no name without the word after
    if not words:
        return None
    return " ".join(w for w, _, _ in words), words[0][1], words[-1][2]


def _words_from(text: str, at: int) -> Iterator[re.Match[str]]:
    """The words from `at` on while only spaces part them: a line break, punctuation or
    a digit ends a name."""
    while True:
        m = _WORD_AFTER.match(text, at)
        if not m:
            return
        yield m
        at = m.end()


def _name_before(text: str, at: int) -> tuple[str, int] | None:
    """The name that ends at `at`, before an age: one or two words (a particle joined; three
    with a link: "محمد عجلة بن زكي"), fewer where a stop word or a child noun comes first;
    a word with the article never starts it, and after a child noun without the article
    the words are adjectives ("طفل فلسطيني، عمره 18 شهرا"). (name, start), or None."""
    words: list[tuple[str, int]] = []
    units, end = 0, at
    while True:
        m = _WORD_BEFORE.search(text, max(0, end - 40), end)
        if not m:
            break
        word, start = m.group(1), m.start(1)
        folded = fold(word)
        if folded in _LINKS or (words and folded in _PARTICLES):
            words.insert(0, (word, start))
            end = start
            continue
        if (units == 2 and not any(fold(w) in _LINKS for w, _ in words)) or units == 3:
            break  # two words, three in a chain with "بن"
        if folded[0] == "و" and len(folded) > 3 and not _never_name(folded[1:]):
            words.insert(0, (word[1:], start + 1))  # "... ومحمد (12 عاما)": the name after "and"
            break
        if _never_name(folded):
            if folded in _CHILD_WORDS or (folded[0] in "وف" and folded[1:] in _CHILD_WORDS):
                return None
            break
        words.insert(0, (word, start))
        units += 1
        end = start
    while words and (fold(words[0][0]).startswith(("ال", "لل")) or fold(words[0][0]) in _LINKS):
        words.pop(0)  # an adjective, a noun with the article: not the start of a name
    if not words:
        return None
    return " ".join(w for w, _ in words), words[0][1]


def skeleton(text: str) -> str:
    """`text` without diacritics and tatweel, its letters as written."""
    return _MARK.sub("", text)


def arabic_child_names(text: str) -> list[tuple[str, int]]:
    """The children's names in the Arabic of `text`, each with where it is first found
    (an offset of `text` without its diacritics), written as there without diacritics."""
    if not has_arabic(text):
        return []
    text = skeleton(text)
    found: dict[str, tuple[str, int]] = {}

    def keep(name: str, at: int) -> None:
        key = fold(name)
        if key not in found or found[key][1] > at:
            found[key] = (name, at)

    for m in _SINGULAR_CUE.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if before and fold(before.group(1)) in _INSTITUTION_WORDS:
            continue  # "منظمة إنقاذ الطفل"
        named = _name_after(text, m.end(), quoted=m.group("quote") is not None)
        if not named:
            continue
        name, start, end = named
        age = _age_after(text, end + (m.group("quote") is not None and text[end : end + 1] in "\"”»'"))
        if age is not None and age[0] >= 18:
            continue
        cue = m.group("noun") or m.group("of")
        if age is None and cue and fold(cue) in _CONDITIONAL:
            continue  # a pupil, a brother: a child only with a child's age
        keep(name, start)
    for m in _AGE_AFTER.finditer(text):
        if _years_of(m) < 18 and (before_age := _name_before(text, m.start())):
            keep(*before_age)
    for m in _PLURAL_CUE.finditer(text):
        if not (m.group("the") or m.group("are") or m.group("colon")):
            continue  # "أطفال محمد": Mohammed's children
        listed: list[tuple[str, int]] = []
        aged = False
        at = m.end()
        while named := _name_after(text, at, in_list=bool(listed) or m.group("are") is not None):
            name, start, at = named
            age = _age_after(text, at)
            if age is not None:
                aged = True
                at = age[1]
            if age is None or age[0] < 18:
                listed.append((name, start))
            sep = _LIST_SEP.match(text, at)
            if not sep:
                break
            at = sep.end()
        if len(listed) > 1 or aged:  # one word alone after a plural is more often a verb
            for name, start in listed:
                keep(name, start)
    return sorted(found.values(), key=lambda kv: kv[1])


def name_units(name: str) -> list[str]:
    """The words of an Arabic name that each identify the child alone: a particle with
    the word after it ("عبد الله"), no link ("بن")."""
    units: list[str] = []
    joined = False
    for word in name.split():
        folded = fold(word)
        if folded in _LINKS:
            continue
        if joined:
            units[-1] += " " + word
            joined = False
            continue
        units.append(word)
        joined = folded in _PARTICLES
    return units
