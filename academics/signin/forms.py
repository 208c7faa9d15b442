"""Forms of the sign-in pages that differ from django-allauth's own
(settings `ACCOUNT_FORMS`; docs/manual/signing-in.md)."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from ..models import User


class ResetPasswordForm(AllauthResetPasswordForm):
    """ "Forgot password?": the link goes to every active user with this address, whatever
    its case. The roster keeps addresses as the SIS spells them ("Ann.Lee@School.org"),
    and a person types them as they like. Users who never had a password (imported) get
    one too: following the link is how they set their first. An unknown address gets the
    same answer on the page (allauth sends a "no account" mail instead), so the form
    does not tell who has an account."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = list(User.objects.filter(email__iexact=email.strip(), is_active=True))
        return email
