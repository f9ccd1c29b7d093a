"""Which language is being built, and what a page says in it."""

from __future__ import annotations

import re
from pathlib import Path

# Material's settings for its JavaScript, in every page: base, translations, ...
MATERIAL_CONFIG = re.compile(
    r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S
)

UNTRANSLATED = {
    "en": '!!! warning "Not translated yet"\n\n'
    "    This page has no English version yet; it is shown in Korean.\n\n",
    "ko": '!!! warning "아직 번역되지 않았습니다"\n\n'
    "    이 페이지는 아직 한국어 번역이 없어 원문을 그대로 보여 줍니다.\n\n",
}


def build_language(config) -> str:
    """The language being built (mkdocs-static-i18n builds each in turn)."""
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) or config.theme.get("language", "en")


def default_language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.default_language if i18n else config.theme.get("language", "en")


def build_starts(config) -> bool:
    """In ``on_pre_build``: a new build (or a rebuild under `mkdocs serve`)
    begins; mkdocs-static-i18n then builds the default language first."""
    return build_language(config) == default_language(config)


def every_language_built(config) -> bool:
    """In ``on_post_build`` (priority below mkdocs-static-i18n's -100): the
    end of the build, not a language built inside i18n's own on_post_build."""
    return not getattr(config.plugins.get("i18n"), "building", False)


def language_prefix(config, language: str) -> str:
    """Where a language's pages live below the site root: "" or "en/"."""
    return "" if language == default_language(config) else f"{language}/"


def with_untranslated_notice(markdown: str, page, language: str) -> str:
    """A page shown in a language it has no file for (mkdocs-static-i18n falls
    back to the Korean file) gets a notice saying so. Suffix layout:
    "page.md" is Korean, "page.en.md" English; pages the hooks write in the
    language being built (the notebook views) never need one."""
    suffix = Path(page.file.src_uri).suffixes[-2:-1]
    file_language = suffix[0][1:] if suffix and suffix[0][1:] in UNTRANSLATED else "ko"
    if getattr(page.file, "notebook_view", False):
        file_language = language
    if file_language != language and language in UNTRANSLATED:
        return UNTRANSLATED[language] + markdown
    return markdown
