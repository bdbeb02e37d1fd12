from django.contrib.auth import views as auth_views
from django.urls import path

from jaminan.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rules", views.rules_page, name="rules"),
    path("rules/calculate/<str:name>", views.rules_calculate, name="rules-calculate"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
