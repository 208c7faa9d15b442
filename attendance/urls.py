from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("periods/", views.my_periods, name="my_periods"),
    path("list/", views.attendance_list, name="list"),
]
