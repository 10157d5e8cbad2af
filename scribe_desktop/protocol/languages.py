"""Language codes and the names a user reads: the languages ElevenLabs Scribe transcribes, and
English names for every code an engine may declare. Pure.

`language_code` takes ISO-639-1 or ISO-639-3 codes (§4). The app stores the two-letter code
when there is one ("de"), else the three-letter one ("ast"); `canonical()` maps either form
to that, so "deu" and "de" are one language. `label()` is what a list shows: "German (de)".

SCRIBE: the 99 languages of the ElevenLabs Speech to Text docs ("Which languages are
supported?", Scribe v1; Scribe v2 Realtime documents "90+" without its own list), with the
docs' names and ISO-639-3 codes. `_EXTRA_NAMES` names the further codes Whisper models know
(faster-whisper's tokenizer list), so a local engine's declared languages read the same way.
"""

from __future__ import annotations

# (ISO-639-3, ISO-639-1 or "", name) as the ElevenLabs docs list them
_SCRIBE: tuple[tuple[str, str, str], ...] = (
    ("afr", "af", "Afrikaans"), ("amh", "am", "Amharic"), ("ara", "ar", "Arabic"),
    ("hye", "hy", "Armenian"), ("asm", "as", "Assamese"), ("ast", "", "Asturian"),
    ("aze", "az", "Azerbaijani"), ("bel", "be", "Belarusian"), ("ben", "bn", "Bengali"),
    ("bos", "bs", "Bosnian"), ("bul", "bg", "Bulgarian"), ("mya", "my", "Burmese"),
    ("yue", "", "Cantonese"), ("cat", "ca", "Catalan"), ("ceb", "", "Cebuano"),
    ("nya", "ny", "Chichewa"), ("hrv", "hr", "Croatian"), ("ces", "cs", "Czech"),
    ("dan", "da", "Danish"), ("nld", "nl", "Dutch"), ("eng", "en", "English"),
    ("est", "et", "Estonian"), ("fil", "", "Filipino"), ("fin", "fi", "Finnish"),
    ("fra", "fr", "French"), ("ful", "ff", "Fulah"), ("glg", "gl", "Galician"),
    ("lug", "lg", "Ganda"), ("kat", "ka", "Georgian"), ("deu", "de", "German"),
    ("ell", "el", "Greek"), ("guj", "gu", "Gujarati"), ("hau", "ha", "Hausa"),
    ("heb", "he", "Hebrew"), ("hin", "hi", "Hindi"), ("hun", "hu", "Hungarian"),
    ("isl", "is", "Icelandic"), ("ibo", "ig", "Igbo"), ("ind", "id", "Indonesian"),
    ("gle", "ga", "Irish"), ("ita", "it", "Italian"), ("jpn", "ja", "Japanese"),
    ("jav", "jv", "Javanese"), ("kea", "", "Kabuverdianu"), ("kan", "kn", "Kannada"),
    ("kaz", "kk", "Kazakh"), ("khm", "km", "Khmer"), ("kor", "ko", "Korean"),
    ("kur", "ku", "Kurdish"), ("kir", "ky", "Kyrgyz"), ("lao", "lo", "Lao"),
    ("lav", "lv", "Latvian"), ("lin", "ln", "Lingala"), ("lit", "lt", "Lithuanian"),
    ("luo", "", "Luo"), ("ltz", "lb", "Luxembourgish"), ("mkd", "mk", "Macedonian"),
    ("msa", "ms", "Malay"), ("mal", "ml", "Malayalam"), ("mlt", "mt", "Maltese"),
    ("zho", "zh", "Mandarin Chinese"), ("mri", "mi", "Māori"), ("mar", "mr", "Marathi"),
    ("mon", "mn", "Mongolian"), ("nep", "ne", "Nepali"), ("nso", "", "Northern Sotho"),
    ("nor", "no", "Norwegian"), ("oci", "oc", "Occitan"), ("ori", "or", "Odia"),
    ("pus", "ps", "Pashto"), ("fas", "fa", "Persian"), ("pol", "pl", "Polish"),
    ("por", "pt", "Portuguese"), ("pan", "pa", "Punjabi"), ("ron", "ro", "Romanian"),
    ("rus", "ru", "Russian"), ("srp", "sr", "Serbian"), ("sna", "sn", "Shona"),
    ("snd", "sd", "Sindhi"), ("slk", "sk", "Slovak"), ("slv", "sl", "Slovenian"),
    ("som", "so", "Somali"), ("spa", "es", "Spanish"), ("swa", "sw", "Swahili"),
    ("swe", "sv", "Swedish"), ("tam", "ta", "Tamil"), ("tgk", "tg", "Tajik"),
    ("tel", "te", "Telugu"), ("tha", "th", "Thai"), ("tur", "tr", "Turkish"),
    ("ukr", "uk", "Ukrainian"), ("umb", "", "Umbundu"), ("urd", "ur", "Urdu"),
    ("uzb", "uz", "Uzbek"), ("vie", "vi", "Vietnamese"), ("cym", "cy", "Welsh"),
    ("wol", "wo", "Wolof"), ("xho", "xh", "Xhosa"), ("zul", "zu", "Zulu"),
)

# Whisper's codes that the Scribe list lacks ("jw" is Whisper's own code for Javanese)
_EXTRA_NAMES = {
    "ba": "Bashkir", "bo": "Tibetan", "br": "Breton", "eu": "Basque", "fo": "Faroese",
    "haw": "Hawaiian", "ht": "Haitian Creole", "jw": "Javanese", "la": "Latin",
    "mg": "Malagasy", "nn": "Norwegian Nynorsk", "sa": "Sanskrit", "si": "Sinhala",
    "sq": "Albanian", "su": "Sundanese", "tk": "Turkmen", "tl": "Tagalog", "tt": "Tatar",
    "yi": "Yiddish", "yo": "Yoruba",
}

_TO_CANONICAL = {iso3: (iso1 or iso3) for iso3, iso1, _ in _SCRIBE}
_NAMES = {(iso1 or iso3): name for iso3, iso1, name in _SCRIBE} | _EXTRA_NAMES

SCRIBE_LANGUAGES: tuple[str, ...] = tuple(sorted(
    (iso1 or iso3 for iso3, iso1, _ in _SCRIBE), key=lambda code: _NAMES[code]))


def canonical(code: str) -> str:
    """The form the app stores: two letters when ISO-639-1 has the language ("deu" -> "de")."""
    folded = code.strip().lower()
    return _TO_CANONICAL.get(folded, folded)


def language_name(code: str) -> str | None:
    """The English name of `code` (either form), None when this module does not know it."""
    return _NAMES.get(canonical(code))


def label(code: str) -> str:
    """What a language list shows: "German (de)"; an unknown code shows as itself."""
    code = canonical(code)
    name = language_name(code)
    return f"{name} ({code})" if name else code


def same_language(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)
