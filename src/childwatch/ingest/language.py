"""Which language a report is written in, decided cheaply and on the side of English.

    from childwatch.ingest.language import detect_language, is_english

    detect_language("Des enfants ont été enlevés à Gao ...")   # "fr"
    detect_language("Boko Haram frees 21 Chibok girls")        # "en": too short to be sure

Extraction reads English only for now, so a report found to be in another language is
stored and flagged, not extracted (`workers.extract_one`). Wrongly flagging an English
report loses its claims, so the rule leans to English:

1. The sample is the first `SAMPLE_WORDS` words of the text (the title when there is no
   text): blanked markup and page junk do not count, and the cost stays flat however long
   the report is.
2. Fewer than `MIN_WORDS` words with letters: unsure, English.
3. At least `ENGLISH_SHARE` of the sample's words are English function words ("the",
   "of", "were", ...): English, without asking the model. French, Spanish or Arabic text
   has next to none of them; English prose has 20-30 %. This answers most reports in
   some 20 µs and spares loading the model in runs that are all English.
4. Otherwise py3langid (langid.py's model, some 140 languages, shipped inside the package)
   ranks the languages. Nigerian Pidgin is English-based and English news about Nigeria
   is often taken for it, so its probability counts as English's (and Arabic's
   varieties count as Arabic). The best other
   language is the answer when its probability is at least `MIN_CONFIDENCE` (higher,
   `MIN_CONFIDENCE_SHORT`, for a sample under `SHORT_WORDS` words: a headline alone); else
   English. On 1,000+ English reports and headlines (the corpus, the benches, the
   fixtures) the best other language never passed 0.66; on the French, Spanish and
   Arabic reports of the multilingual bench the right language had 0.92 or more.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["ENGLISH", "detect_language", "is_english", "language_name"]

ENGLISH = "en"
SAMPLE_WORDS = 60
MIN_WORDS = 3
SHORT_WORDS = 20
ENGLISH_SHARE = 0.12
MIN_CONFIDENCE = 0.8
MIN_CONFIDENCE_SHORT = 0.95
# English-based creoles the model knows: English news is taken for them, and our English
# extraction reads them about as well as it reads English.
_ENGLISH_LIKE = frozenset({"en", "pcm"})
# Varieties the model tells apart that we count as one language: a short Arabic headline
# splits its probability between Standard, Moroccan and Egyptian Arabic.
_FOLD = {"pcm": "en", "ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "sdh": "ku"}
# Function words of English that are rare as words of the languages reports come in
# ("a", "on", "in", "was", "die" are left out: French, Spanish, German, Dutch use them).
_FUNCTION_WORDS = frozenset({
    "the", "of", "and", "to", "is", "are", "were", "been", "has", "have", "had", "with", "from", "by", "for",
    "that", "this", "which", "who", "their", "they", "said", "after", "during", "at",
})  # fmt: skip
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")

_model: Any = None
_model_lock = threading.Lock()

# The names the run summary uses; any other code is shown as it is.
_NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fa": "Persian", "fr": "French",
    "ha": "Hausa", "it": "Italian", "nl": "Dutch", "ps": "Pashto", "pt": "Portuguese", "ru": "Russian",
    "so": "Somali", "sw": "Swahili", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "zh": "Chinese",
}  # fmt: skip


def primary(language: str | None) -> str | None:
    """The primary subtag of a language tag, in lower case: "fr-FR" → "fr"; None for none."""
    if not language or not language.strip():
        return None
    return re.split(r"[-_\s]", language.strip(), maxsplit=1)[0].lower() or None


def is_english(language: str | None) -> bool:
    """Whether a stored or given language tag means English; no tag counts as English
    (reports stored before languages were detected, or too short to tell)."""
    code = primary(language)
    return code is None or code in _ENGLISH_LIKE


def language_name(language: str) -> str:
    """"fr" → "French"; a code we have no name for is returned as it is."""
    return _NAMES.get(primary(language) or language, language)


def detect_language(text: str, title: str | None = None) -> str:
    """The ISO 639-1 code of the language `text` is written in ("en" when unsure)."""
    words = text.split(maxsplit=SAMPLE_WORDS)[:SAMPLE_WORDS]
    if len(words) < MIN_WORDS and title:
        words = [*title.split(), *words][:SAMPLE_WORDS]
    sample = " ".join(words)
    lettered = _WORD.findall(sample)
    if len(lettered) < MIN_WORDS:
        return ENGLISH
    english = sum(1 for w in lettered if w.lower() in _FUNCTION_WORDS)
    if english >= ENGLISH_SHARE * len(lettered):
        return ENGLISH
    folded: dict[str, float] = {}
    for lang, p in _identifier().rank(sample):
        code = _FOLD.get(lang, lang)
        folded[code] = folded.get(code, 0.0) + p
    lang, p = max(((c, p) for c, p in folded.items() if c != ENGLISH), key=lambda cp: cp[1])
    needed = MIN_CONFIDENCE_SHORT if len(lettered) < SHORT_WORDS else MIN_CONFIDENCE
    return lang if p >= needed else ENGLISH


def _identifier() -> Any:
    # Loaded on first need (about 0.7 s), once per process; a run of English reports
    # usually never needs it.
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _model
