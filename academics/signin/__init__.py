"""Sign-in through django-allauth (docs/operations/sign-in.md, docs/manual/signing-in.md).

- `adapters`: no self-sign-up; a single-sign-on identity signs in as the imported user it
  matches (`matching`), or is refused with a page that says so.
- `forms` and `backends`: username or email (any case) with a password, the lockout key
  django-axes counts (`throttling_key`), and "Forgot password?" by email.
- `views`: the login page, whose form may post on to the configured identity providers.
- `two_factor`: the school's "admins and accountants use two-factor" rule.
"""
