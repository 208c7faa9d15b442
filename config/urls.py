from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from academics import views as academics_views
from academics.signin.views import SignInView, email_addresses
from academics.views.health import healthz

# One sign-in page for everyone: the admin's own login form would skip two-factor
# (docs/operations/security.md).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", academics_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # django-allauth's pages (docs/operations/sign-in.md); the login and logout keep the
    # names the rest of Rollbook uses.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/email/", email_addresses, name="account_email"),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    # The single sign-on providers Rollbook supports (docs/operations/sign-in.md).
    path("accounts/", include("allauth.socialaccount.providers.google.urls")),
    path("accounts/", include("allauth.socialaccount.providers.microsoft.urls")),
    path("accounts/", include("allauth.socialaccount.providers.clever.urls")),
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("attendance/", include("attendance.urls")),
    path("billing/", include("billing.urls")),
    path("api/accounting/", include("billing.api_urls")),
    path("credits/", include("credits.urls")),
    path("children/", include("guardians.urls")),
    path("", include("academics.urls")),  # /promotion/…, /enrollments/
    path("admin/", admin.site.urls),
]

# Error answers: JSON under /api/ and to JSON clients, a page otherwise (academics/errors.py).
handler400 = "academics.errors.bad_request"
handler403 = "academics.errors.permission_denied"
handler404 = "academics.errors.page_not_found"
handler500 = "academics.errors.server_error"
