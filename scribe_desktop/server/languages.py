"""`language_code` (ISO 639-1 or 639-3, §4) -> the code an engine declares, or a clear error."""

from __future__ import annotations

from ..protocol.options import OptionsError
from .engines.base import EngineInfo

# ISO 639-3 (and 639-2/B) codes of the languages Whisper knows, to their ISO 639-1 codes (as
# Whisper spells them: "jw" for Javanese, "haw" and "yue" have no 639-1 code).
_ISO639_3 = {
    "afr": "af", "amh": "am", "ara": "ar", "asm": "as", "aze": "az", "bak": "ba", "bel": "be",
    "bul": "bg", "ben": "bn", "bod": "bo", "tib": "bo", "bre": "br", "bos": "bs", "cat": "ca",
    "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy", "dan": "da", "deu": "de", "ger": "de",
    "ell": "el", "gre": "el", "eng": "en", "spa": "es", "est": "et", "eus": "eu", "baq": "eu",
    "fas": "fa", "per": "fa", "fin": "fi", "fao": "fo", "fra": "fr", "fre": "fr", "glg": "gl",
    "guj": "gu", "hau": "ha", "heb": "he", "hin": "hi", "hrv": "hr", "hat": "ht", "hun": "hu",
    "hye": "hy", "arm": "hy", "ind": "id", "isl": "is", "ice": "is", "ita": "it", "jpn": "ja",
    "jav": "jw", "kat": "ka", "geo": "ka", "kaz": "kk", "khm": "km", "kan": "kn", "kor": "ko",
    "lat": "la", "ltz": "lb", "lin": "ln", "lao": "lo", "lit": "lt", "lav": "lv", "mlg": "mg",
    "mri": "mi", "mao": "mi", "mkd": "mk", "mac": "mk", "mal": "ml", "mon": "mn", "mar": "mr",
    "msa": "ms", "may": "ms", "mlt": "mt", "mya": "my", "bur": "my", "nep": "ne", "nld": "nl",
    "dut": "nl", "nno": "nn", "nor": "no", "nob": "no", "oci": "oc", "pan": "pa", "pol": "pl",
    "pus": "ps", "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru", "san": "sa", "snd": "sd",
    "sin": "si", "slk": "sk", "slo": "sk", "slv": "sl", "sna": "sn", "som": "so", "sqi": "sq",
    "alb": "sq", "srp": "sr", "sun": "su", "swe": "sv", "swa": "sw", "tam": "ta", "tel": "te",
    "tgk": "tg", "tha": "th", "tuk": "tk", "tgl": "tl", "tur": "tr", "tat": "tt", "ukr": "uk",
    "urd": "ur", "uzb": "uz", "vie": "vi", "yid": "yi", "yor": "yo", "zho": "zh", "chi": "zh",
    "cmn": "zh", "jv": "jw",
}


def resolve_language(code: str | None, info: EngineInfo) -> str | None:
    """The engine's code for a requested `language_code` (None: none requested, the engine
    detects or uses its only language). OptionsError (-> invalid_request, 1008) naming the
    engine and its languages when it cannot transcribe that language."""
    if code is None or not code.strip():
        return None
    key = code.strip().lower()
    key = _ISO639_3.get(key, key)
    if key in info.languages:
        return key
    which = (f"only {', '.join(info.languages)}" if len(info.languages) <= 3 else
             f"{len(info.languages)} languages: {', '.join(info.languages)}")
    raise OptionsError(f"The language_code '{code}' is not supported by the local engine "
                       f"{info.name} (model {info.model}), which transcribes {which}. Use one "
                       "of those, or leave language_code empty.")
