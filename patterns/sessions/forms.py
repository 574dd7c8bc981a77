"""The study-session forms: an instructor's new session, a student's join code and nickname."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from patterns.lessons import slides
from patterns.sessions import fields, joining


class CreateSessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    lesson = forms.ChoiceField(label=gettext_lazy("Lesson (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lessons = slides.lesson_choices(get_language() or "en")
        self.fields["lesson"].choices = [("", _("No lesson: numbered slides")), *lessons]


class JoinForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Join code"), max_length=20)
    # No max_length here: Django would count code points (a flag is two); normalize_nickname
    # counts characters as people do and says why a nickname is refused.
    nickname = forms.CharField(
        label=gettext_lazy("Nickname"),
        help_text=format_lazy(
            gettext_lazy("Up to {max} characters; emoji and any script welcome."),
            max=joining.NICKNAME_MAX,
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "K7P-4QM",
                "inputmode": "text",
            }
        )
        self.fields["nickname"].widget.attrs.update({"autocomplete": "nickname"})

    def clean_code(self) -> str:
        code = joining.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "A join code has 6 letters and digits, like K7P-4QM. Check the instructor's screen."
                )
            )
        return code

    def clean_nickname(self) -> str:
        try:
            return joining.normalize_nickname(self.cleaned_data["nickname"])[0]
        except fields.SessionError as error:
            raise forms.ValidationError(error.reason) from None
