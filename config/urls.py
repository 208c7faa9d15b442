from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from academics import views as academics_views
from academics.views.health import healthz

urlpatterns = [
    path("", academics_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
