"""The pack editor's errors in the staff member's language: each API field error (its pointer
and its problem code, the API's own) as the form field it belongs to and words for its code.
An error without words here shows the API's message."""

from __future__ import annotations

from badgeservice.errors import FieldError
from badgeservice.web import i18n
from badgeservice.web.console.achievements import ERROR_WORDS
from badgeservice.web.console.pack_form import field_id
from badgeservice.web.i18n import N_

CHOOSE = N_("Choose one of the options.")
GROUP_KEY = N_("Use lower-case letters, digits, hyphens and underscores (at most 50).")
# (code, the member the pointer ends with: "#" for a row's number, "" for any) → words
PACK_WORDS = {
    ("string_pattern_mismatch", "slug"): N_(
        "Use lower-case letters, digits and hyphens, such as first-steps."
    ),
    ("pack_slug_taken", ""): N_("This issuer has a pack with this short name already."),
    ("string_pattern_mismatch", "key"): GROUP_KEY,
    ("string_pattern_mismatch", "group"): GROUP_KEY,
    ("string_pattern_mismatch", "packSlug"): CHOOSE,
    ("literal_error", ""): CHOOSE,
    ("uuid_parsing", ""): CHOOSE,
    ("bool_parsing", ""): CHOOSE,
    ("step_kind", ""): CHOOSE,
    ("unknown_achievement", ""): N_("Choose one of this issuer's achievements."),
    ("unknown_pack", ""): N_("Choose another pack of this issuer."),
    ("int_parsing", ""): N_("Give a whole number from 1 to 100."),
    ("greater_than_equal", ""): N_("Give a whole number from 1 to 100."),
    ("less_than_equal", ""): N_("Give a whole number from 1 to 100."),
    ("group_twice", ""): N_("Each group needs a key of its own."),
    ("group_required", ""): N_("Give a number from 1 to the number of steps in this group."),
    ("group_unknown", ""): N_("No group has this key: add the group under Groups."),
    ("activity_counted", ""): N_(
        "An activity counts for nothing by itself: make it not required, in no group."
    ),
    ("step_twice", ""): N_("This achievement or pack is a step already."),
    ("nothing_required", ""): N_(
        "A pack needs at least one required achievement or pack step, or a group."
    ),
    ("pack_cycle", ""): N_("A pack cannot contain itself, even through other packs."),
    ("too_short", "steps"): N_("Add at least one step."),
    ("value_error", "body"): N_("Give the name in the default language."),
    ("value_error", "defaultLanguage"): N_("Choose a language."),
    ("value_error", "#"): N_(
        "Fill in what this kind of step needs: an achievement, a pack, or an activity's "
        "web address and title."
    ),
}


def _words(error: FieldError) -> str | None:
    last = error.pointer.rstrip("/").rpartition("/")[2]
    last = "#" if last.isdigit() else last
    return (
        PACK_WORDS.get((error.code, last))
        or PACK_WORDS.get((error.code, ""))
        or ERROR_WORDS.get(error.code)
    )


def error_words(
    errors: list[FieldError], default_language: str, language: str
) -> list[dict[str, str]]:
    """Each error as ``{"id": form field id, "message": words in ``language``}``."""
    said = []
    for error in errors:
        words = _words(error)
        message = i18n.gettext(language, words) if words else error.message
        said.append({"id": field_id(error, default_language), "message": message})
    return said
