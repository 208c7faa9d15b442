"""Academics pages: the home redirect here, the promotion wizard (`promotion`) and the
enrollments list (`enrollments`), one module per area."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the screen it uses most."""
    user = request.user
    if user.school_id is None:
        if user.is_superuser:
            return redirect("admin:index")
        return render(request, "academics/home.html", {"no_school": True})
    if user.role == Role.TEACHER or user.role == Role.HOD:
        return redirect("attendance:my_periods")
    if user.role == Role.GUARDIAN:  # their children (the guardians app, docs/manual/guardians.md)
        return redirect("guardians:children")
    return redirect("attendance:list")
